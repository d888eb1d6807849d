using System.Diagnostics;
using Akka.Actor;
using Workers.Actors;
using Workers.Actors.Persistence;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// D1: how long a manager takes to start on a SQLite job store holding many finished jobs, from its creation to the
/// answer of its first command (commands wait for the recovery). Two layouts of the same jobs: behind a snapshot
/// (what the manager's snapshot policy leaves most of the time), and as bare events (no snapshot at all: the worst
/// case, two events per job, accepted and ended, written in batches of a thousand as the manager does). The stores are written once, through the journal, and read back in every run.
/// </summary>
internal sealed class StoreRecovery(BenchOptions options) : IWorkload, IDisposable
{
    private const string Workload = "D1 recovery";
    private readonly int _jobs = options.RecoveryJobs;
    private TemporaryDatabase? _snapshotted;
    private TemporaryDatabase? _eventsOnly;

    public string Name => Workload;

    public Metric FromSnapshot { get; } = new(Workload, $"manager start on {options.RecoveryJobs:N0} finished jobs in a snapshot, SQLite (ms)", Unit.Milliseconds);

    public Metric FromEvents { get; } = new(Workload, $"manager start on {options.RecoveryJobs:N0} finished jobs as {2 * options.RecoveryJobs:N0} events in batches, SQLite (ms)", Unit.Milliseconds);

    public IReadOnlyList<Metric> Metrics => [FromSnapshot, FromEvents];

    public async Task RunAsync(BenchContext context)
    {
        if (_snapshotted is null || _eventsOnly is null)
        {
            _snapshotted = new TemporaryDatabase();
            _eventsOnly = new TemporaryDatabase();
            await FillAsync(_snapshotted.Path, snapshot: true, context);
            await FillAsync(_eventsOnly.Path, snapshot: false, context);
        }
        context.Record(FromSnapshot, await RecoverAsync(_snapshotted.Path, context));
        context.Record(FromEvents, await RecoverAsync(_eventsOnly.Path, context));
    }

    public void Dispose()
    {
        _snapshotted?.Dispose();
        _eventsOnly?.Dispose();
    }

    /// <summary>Milliseconds from creating the manager to its answer to GetAllJobs, which holds every job.</summary>
    private async Task<double> RecoverAsync(string database, BenchContext context)
    {
        using var system = BenchSystems.CreateManagerSystem("recovery");
        var start = Stopwatch.GetTimestamp();
        var manager = system.ActorOf(JobManagerActor.Props(Options(database)), JobManagerActor.ActorName("recovery"));
        var all = await manager.Ask<AllJobs>(GetAllJobs.Instance, context.Options.StepTimeout, context.Cancellation);
        var elapsed = Stopwatch.GetElapsedTime(start);
        if (all.Jobs.Count != _jobs)
            throw new InvalidOperationException($"The manager recovered {all.Jobs.Count} jobs, not {_jobs}.");
        await system.Terminate();
        return elapsed.TotalMilliseconds;
    }

    /// <summary>Writes the jobs through the journal the manager uses, as the manager would: accepted, then ended.</summary>
    private async Task FillAsync(string database, bool snapshot, BenchContext context)
    {
        using var system = BenchSystems.CreateManagerSystem("recovery-fill");
        var store = JobStoreConfig.Prepare(system, "recovery", JobStoreOptions.Sqlite(database));
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = system.ActorOf(Props.Create(() => new JournalWriter(store, written)));
        var created = DateTimeOffset.UtcNow;
        var jobs = new List<StoredJob>(_jobs);
        var batch = new List<IJobStoreRecord>();
        for (var i = 0; i < _jobs; i++)
        {
            var job = new StoredJob { Id = Guid.NewGuid().ToString("N"), PluginId = "echo", Sequence = i, CreatedAt = created, ParametersJson = """{"text":"bench"}""" };
            var ended = job with
            {
                Status = JobStatus.Completed, ParametersJson = null, StartedAt = created, CompletedAt = created,
                ResultJson = """{"text":"bench","metadata":{"pid":4242,"workerId":"worker-1"}}""", WorkerId = "worker-1", WorkerPid = 4242,
            };
            jobs.Add(ended);
            batch.Add(new JobAcceptedRecord(job));
            var end = new JobEndedRecord(job.Id, JobStatus.Completed, created, ended.ResultJson, null) { StartedAt = created, WorkerId = "worker-1", WorkerPid = 4242 };
            batch.Add(end);
            // In batches of a thousand events, as the manager writes a burst of submissions and ends.
            if (batch.Count == 1_000 || i == _jobs - 1)
            {
                writer.Tell(new StoreBatch(batch, i == _jobs - 1 ? ["last"] : []));
                batch = [];
            }
        }
        if (snapshot)
            writer.Tell(new SaveJobsSnapshot(new JobStoreSnapshot(jobs, _jobs)));
        await written.Task.WaitAsync(context.Options.StepTimeout * 5, context.Cancellation);
        await system.Terminate();
    }

    /// <summary>The journal's parent (it answers its parent): done when the last event, and the snapshot if any, are written.</summary>
    private sealed class JournalWriter : ReceiveActor
    {
        public JournalWriter(JobStoreConfig store, TaskCompletionSource written)
        {
            var journal = Context.ActorOf(JobJournalActor.Props(store.PersistenceId, store.JournalPluginId, store.SnapshotPluginId));
            var snapshotSent = false;
            var lastWritten = false;
            Receive<StoreBatch>(journal.Forward);
            Receive<SaveJobsSnapshot>(save =>
            {
                snapshotSent = true;
                journal.Forward(save);
            });
            // Every batch is answered; only the last one carries an ack.
            Receive<RecordsStored>(stored => stored.Acks.Contains("last"), _ =>
            {
                lastWritten = true;
                if (!snapshotSent)
                    written.TrySetResult();
            });
            Receive<JobStoreSnapshotSaved>(_ =>
            {
                if (lastWritten)
                    written.TrySetResult();
            });
            ReceiveAny(_ => { });
        }
    }

    private static JobManagerOptions Options(string database) => new()
    {
        WorkerType = "recovery",
        PluginAssemblies = ["Workers.Plugins.Samples.dll"],
        Store = JobStoreOptions.Sqlite(database),
    };
}
