using Akka;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Manager;
using Workers.Actors.Persistence;

namespace Workers.Actors;

// The job store: recovery when the manager starts, the journal events of a job's life, snapshots, clearing and the
// retention period, and what the manager does while the store is unavailable.
public sealed partial class JobManagerActor : IWithUnboundedStash
{
    private static readonly TimeSpan JournalRestartMin = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan JournalRestartMax = TimeSpan.FromSeconds(30);

    /// <summary>Accepted jobs whose acceptance is not written yet, and who to answer once it is.</summary>
    private readonly Dictionary<string, IActorRef> _awaitingStore = [];
    /// <summary>Who submitted the same job id again while its acceptance was being written: answered with the first submitter.</summary>
    private readonly Dictionary<string, List<IActorRef>> _repeatsAwaitingStore = [];
    /// <summary>Jobs that have ended, announced once the store has their end.</summary>
    private readonly Dictionary<string, EndNotice> _unannounced = [];

    /// <summary>Events waiting, in order, behind the first end notice not yet written: the event order stays as it happened.</summary>
    private readonly Queue<object> _outbox = new();

    /// <summary>The most events in one <see cref="JobStoreBatch"/>: a row stays a few hundred kilobytes.</summary>
    private const int MaxBatch = 1_000;

    /// <summary>Events recorded in the current burst of messages, and the acks to send back once they are written.</summary>
    private List<IJobStoreRecord> _unsent = [];
    private List<object> _unsentAcks = [];
    /// <summary>Batches sent to the journal and not yet written.</summary>
    private int _batchesWriting;
    private JobStoreConfig? _store;
    private IActorRef? _journal;
    private string? _storeProblem;
    private int _journalRestarts;
    private long _eventsSinceSnapshot;

    public IStash Stash { get; set; } = null!;

    private bool Journaled => _store is not null;

    /// <summary>Until the journal has read the store back, commands wait (stashed) so that none sees a half-built table.</summary>
    private void Recovering()
    {
        Receive<JobStoreRecovered>(Recover);
        Receive<JobStoreUnavailable>(unavailable => StoreUnavailable(unavailable.Reason));
        Receive<Terminated>(terminated => terminated.ActorRef.Equals(_journal), _ => JournalStopped());
        Receive<RestartJournal>(_ => StartJournal());
        // Commands wait for a normal recovery; while the store cannot be read, new jobs are told so at once.
        Receive<StartJob>(_ => _storeProblem is not null, _ => Sender.Tell(StoreUnavailableRejection()));
        ReceiveAny(_ => Stash.Stash());
    }

    private void StartJournal()
    {
        _store ??= JobStoreConfig.Prepare(Context.System, _options.WorkerType, _options.Store);
        JobStoreSerializer.EnsureBound((ExtendedActorSystem)Context.System);
        _journal = Context.Watch(Context.ActorOf(JobJournalActor.Props(_store.PersistenceId, _store.JournalPluginId, _store.SnapshotPluginId),
            $"journal-{_journalRestarts}"));
    }

    /// <summary>
    /// Rebuilds the job table from the store: finished jobs as they ended, pending jobs queued again in their order,
    /// and jobs that were running when the manager stopped queued again or failed (<see cref="RecoverRunningJobs"/>).
    /// </summary>
    private void Recover(JobStoreRecovered recovered)
    {
        var (requeued, failed, pending) = (0, 0, 0);
        foreach (var stored in recovered.Jobs)
        {
            var job = Restore(stored, out var wasRunning);
            _jobs[job.Id] = job;
            if (job.Status == JobStatus.Pending)
            {
                _pending.Enqueue(job);
                if (wasRunning)
                    requeued++;
                else
                    pending++;
            }
            else if (job.Status == JobStatus.Failed && stored.Status != JobStatus.Failed)
            {
                failed++;
                Record(Ended(job));
            }
        }
        _nextSequence = Math.Max(_nextSequence, recovered.NextSequence);
        _storeProblem = null;
        _journalRestarts = 0;
        _log.Info("Job manager [{0}] recovered [{1}] job(s) from the store in [{2:F0}] ms ([{3}] events after the snapshot): {4}",
            _options.WorkerType, recovered.Jobs.Count, recovered.Took.TotalMilliseconds, recovered.EventsReplayed,
            $"{pending} pending, {requeued} running at the stop and re-queued, {failed} failed");
        WorkersTelemetry.OnRecovered(_options.WorkerType, recovered.Jobs.Count, recovered.Took);
        Become(Ready);
        Stash.UnstashAll();
        Started();
    }

    private JobRecord Restore(StoredJob stored, out bool wasRunning)
    {
        wasRunning = stored.Status == JobStatus.Running;
        if (stored.Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled)
            return JobRecord.Restore(stored, target: null);
        if (wasRunning && _options.Store.RecoverRunningJobs == RecoverRunningJobs.Fail)
            return JobRecord.Restore(stored, null).Failed("The job manager stopped while the job was running (RecoverRunningJobs = Fail).", Now);

        PluginTarget? target;
        string? error;
        try
        {
            target = _resolver.Resolve(stored.PluginId, _pluginConfigs, out error);
        }
        catch (Exception e)
        {
            (target, error) = (null, $"the plugin registry failed ({e.Message})");
        }
        return target is null
            ? JobRecord.Restore(stored, null).Failed($"The job could not be recovered: {error}", Now)
            // A re-queued job starts afresh: the node it ran on is gone.
            : JobRecord.Restore(stored with { Status = JobStatus.Pending, StartedAt = null, WorkerId = null, WorkerPid = null }, target);
    }

    /// <summary>A job is answered and queued only once its acceptance is in the store: an accepted job is never lost.</summary>
    private void AcceptDurably(JobRecord job, IActorRef replyTo)
    {
        job.AwaitingStore = true;
        _awaitingStore[job.Id] = replyTo;
        Record(new JobAcceptedRecord(job.ToStored()), new JobStored(job.Id));
    }

    private void AwaitStoreToo(string jobId, IActorRef replyTo)
    {
        if (!_repeatsAwaitingStore.TryGetValue(jobId, out var repeats))
            _repeatsAwaitingStore[jobId] = repeats = [];
        repeats.Add(replyTo);
    }

    private void Handle(JobStored stored)
    {
        if (!_awaitingStore.Remove(stored.JobId, out var replyTo))
            return;
        if (_jobs.TryGetValue(stored.JobId, out var job))
        {
            job.AwaitingStore = false;
            Admit(job, replyTo);
            AnswerRepeats(stored.JobId, new JobAccepted(job.ToSnapshot()));
            return;
        }
        // Cancelled by its id and cleared while its acceptance was written: every submitter still gets an answer.
        var gone = new JobRejected($"Job {stored.JobId} was cancelled and cleared before its acceptance was written.");
        replyTo.Tell(gone);
        AnswerRepeats(stored.JobId, gone);
    }

    private void AnswerRepeats(string jobId, object answer)
    {
        if (!_repeatsAwaitingStore.Remove(jobId, out var repeats))
            return;
        foreach (var replyTo in repeats)
            replyTo.Tell(answer);
    }

    private void EndDurably(JobRecord job, IJobEvent terminal)
    {
        var notice = new EndNotice(job, terminal);
        _unannounced[job.Id] = notice;
        _outbox.Enqueue(notice);
        Record(Ended(job), new JobEndStored(job.Id));
    }

    private static JobEndedRecord Ended(JobRecord job) =>
        new(job.Id, job.Status, job.CompletedAt!.Value, job.Result?.GetRawText(), job.Error)
        {
            StartedAt = job.StartedAt,
            WorkerId = job.WorkerId,
            WorkerPid = job.WorkerPid,
        };

    /// <summary>
    /// A job's start is written only when a restart must tell it from a pending job (<see cref="RecoverRunningJobs.Fail"/>):
    /// re-queued, both run again. Two writes per job instead of three.
    /// </summary>
    private void RecordStart(JobRecord job)
    {
        if (_options.Store.RecoverRunningJobs == RecoverRunningJobs.Fail)
            Record(new JobStartedRecord(job.Id, job.WorkerId!, job.WorkerPid!.Value, job.StartedAt!.Value));
    }

    private void Handle(JobEndStored stored)
    {
        if (_unannounced.Remove(stored.JobId, out var notice))
        {
            notice.Written = true;
            DrainOutbox();
        }
    }

    /// <summary>Delivers the queued events up to the next end the store has not written yet.</summary>
    private void DrainOutbox()
    {
        while (_outbox.TryPeek(out var next) && next is not EndNotice { Written: false })
        {
            _outbox.Dequeue();
            switch (next)
            {
                case EndNotice notice:
                    Announce(notice.Job, notice.Terminal);
                    break;
                case IJobEvent jobEvent:
                    Deliver(jobEvent);
                    break;
                case IWorkerEvent workerEvent:
                    Deliver(workerEvent);
                    break;
            }
        }
    }

    private void Handle(JobStoreWriteFailed failed)
    {
        if (failed.Record is JobStoreBatch batch)
        {
            foreach (var record in batch.Records)
                WriteFailed(record, failed.Reason);
            BatchWritten();
        }
        else
        {
            WriteFailed(failed.Record, failed.Reason);
        }
    }

    private void WriteFailed(IJobStoreRecord record, string reason)
    {
        var failed = new JobStoreWriteFailed(record, reason);
        if (failed.Record is JobAcceptedRecord { Job.Id: var id } && _awaitingStore.Remove(id, out var replyTo))
        {
            _jobs.Remove(id);
            var rejected = new JobRejected($"The job store could not record the job ({failed.Reason}); retry later.", JobRejectionKind.Unavailable);
            replyTo.Tell(rejected);
            AnswerRepeats(id, rejected);
            return;
        }
        if (failed.Record is JobEndedRecord ended && _unannounced.Remove(ended.JobId, out var notice))
        {
            notice.Written = true; // it was not, but the job did end: its subscribers and cancellers must hear it
            DrainOutbox();
        }
        _log.Warning("Job store: a [{0}] event was not written ({1}); after a restart that job may show an earlier state and run again",
            failed.Record.GetType().Name, failed.Reason);
    }

    /// <summary>A journal that restarts reads the store again; the manager's table is newer, so it is saved whole.</summary>
    private void Handle(JobStoreRecovered _)
    {
        _storeProblem = null;
        _journalRestarts = 0;
        _log.Info("Job store of [{0}] is available again", _options.WorkerType);
        SaveSnapshot();
    }

    private void StoreUnavailable(string reason)
    {
        _storeProblem = reason;
        _log.Error("Job store of [{0}] is unavailable: {1}", _options.WorkerType, reason);
        // Submissions that waited for the recovery are refused now rather than left without an answer.
        Stash.UnstashAll();
    }

    /// <summary>The journal stopped (a write or the recovery failed): jobs not yet written are refused, and a new journal starts after a backoff.</summary>
    private void JournalStopped()
    {
        _storeProblem ??= "the journal stopped";
        foreach (var (id, replyTo) in _awaitingStore)
        {
            _jobs.Remove(id);
            var rejected = StoreUnavailableRejection();
            replyTo.Tell(rejected);
            AnswerRepeats(id, rejected);
        }
        _awaitingStore.Clear();
        _unsent.Clear(); // lost with the journal; the snapshot saved when the new one is up covers them
        _unsentAcks.Clear();
        _batchesWriting = 0;
        foreach (var notice in _unannounced.Values)
            notice.Written = true; // the store lost them; the jobs did end, and that is told
        _unannounced.Clear();
        DrainOutbox();
        var delay = RestartDecider.BackoffDelay(JournalRestartMin, JournalRestartMax, ++_journalRestarts);
        _log.Warning("Job store of [{0}]: starting the journal again in [{1}]", _options.WorkerType, delay);
        Timers.StartSingleTimer("restart-journal", RestartJournal.Instance, delay);
    }

    private JobRejected StoreUnavailableRejection() =>
        new($"The job store is unavailable ({_storeProblem}); retry later.", JobRejectionKind.Unavailable);

    /// <summary>
    /// Records a journal event; <paramref name="ack"/> comes back to the manager once it is written. Events are written
    /// together as one <see cref="JobStoreBatch"/> (group commit): the events of a burst of messages go when the manager
    /// reaches the <see cref="SendRecords"/> it told itself at the first of them, and while a batch is being written the
    /// next one gathers until that write is done. A row costs the journal about the same whatever it holds, so under
    /// load the batches grow with the write time instead of one row being written per message; a lone event is written
    /// at once. A snapshot follows when enough events have gathered.
    /// </summary>
    private void Record(IJobStoreRecord record, object? ack = null)
    {
        if (_journal is null)
            return;
        if (_unsent.Count == 0)
            Self.Tell(SendRecords.Instance);
        _unsent.Add(record);
        if (ack is not null)
            _unsentAcks.Add(ack);
        if (_unsent.Count >= MaxBatch)
            SendUnsentRecords(now: true);
        // A snapshot holds every job: waiting for two events per job held (a job's own two, accepted and ended) keeps
        // its cost proportional to the work done (each job goes into about two snapshots over its life), and a
        // recovery replays at most that many events.
        if (++_eventsSinceSnapshot >= Math.Max(_options.Store.SnapshotEvery, 2L * _jobs.Count))
            SaveSnapshot();
    }

    /// <summary>Sends the gathered events, unless a batch is still being written (<paramref name="now"/>: send anyway).</summary>
    private void SendUnsentRecords(bool now = false)
    {
        if (_unsent.Count == 0 || _journal is null || (_batchesWriting > 0 && !now))
            return;
        _journal.Tell(new StoreBatch(_unsent, _unsentAcks));
        _batchesWriting++;
        _unsent = [];
        _unsentAcks = [];
    }

    /// <summary>A batch is written (or failed): the events gathered meanwhile go now.</summary>
    private void BatchWritten()
    {
        _batchesWriting = Math.Max(0, _batchesWriting - 1);
        SendUnsentRecords();
    }

    private void Handle(RecordsStored stored)
    {
        BatchWritten();
        foreach (var ack in stored.Acks)
        {
            switch (ack)
            {
                case JobStored accepted:
                    Handle(accepted);
                    break;
                case JobEndStored ended:
                    Handle(ended);
                    break;
                case ReplyWhenStored reply:
                    reply.To.Tell(reply.Message);
                    break;
            }
        }
    }

    private void SaveSnapshot()
    {
        if (_journal is null)
            return;
        SendUnsentRecords(now: true); // the snapshot covers them: they reach the journal first
        _eventsSinceSnapshot = 0;
        var jobs = new List<StoredJob>(_jobs.Count);
        foreach (var job in _jobs.Values)
            jobs.Add(job.ToStored());
        _journal.Tell(new SaveJobsSnapshot(new JobStoreSnapshot(jobs, _nextSequence)));
    }

    private void Handle(JobStoreSnapshotSaved saved) =>
        _log.Debug("Job store of [{0}]: snapshot saved at event [{1}]", _options.WorkerType, saved.SequenceNr);

    /// <summary>
    /// Removes finished jobs from the table and the store (a snapshot follows, and the events before it are deleted).
    /// <paramref name="reply"/>, made from the count, goes to <paramref name="replyTo"/> once the store has the removal.
    /// </summary>
    private int RemoveFinished(Func<JobRecord, bool> which, IActorRef? replyTo = null, Func<int, object>? reply = null)
    {
        var removed = _jobs.Values.Where(job => job.IsTerminal && which(job)).Select(job => job.Id).ToList();
        foreach (var id in removed)
            _jobs.Remove(id);
        var answer = replyTo is null ? null : new ReplyWhenStored(replyTo, reply!(removed.Count));
        if (Journaled && removed.Count > 0)
        {
            Record(new JobsRemovedRecord(removed), answer);
            SaveSnapshot();
        }
        else if (answer is not null)
        {
            answer.To.Tell(answer.Message);
        }
        return removed.Count;
    }

    private void Handle(SweepFinishedJobs _)
    {
        var cutoff = Now - _options.Store.FinishedJobRetention!.Value;
        var removed = RemoveFinished(job => job.CompletedAt < cutoff);
        if (removed > 0)
            _log.Info("Job manager [{0}] removed [{1}] finished job(s) older than [{2}]", _options.WorkerType, removed, _options.Store.FinishedJobRetention);
    }

    private void StartRetention()
    {
        if (_options.Store.FinishedJobRetention is not { } retention)
            return;
        // A quarter of the period, at most a minute: a job stays at most 25% (or a minute) past its retention.
        var interval = TimeSpan.FromTicks(Math.Min(retention.Ticks / 4, TimeSpan.FromMinutes(1).Ticks));
        Timers.StartPeriodicTimer("retention", SweepFinishedJobs.Instance, interval);
    }

    /// <summary>Completes when every event recorded so far is written (the graceful stop waits for it).</summary>
    private Task FlushStore(TimeSpan timeout)
    {
        if (_journal is null)
            return Task.CompletedTask;
        SendUnsentRecords(now: true); // also those gathering behind a write: the flush waits for them too
        return _journal.Ask<Done>(FlushJournal.Instance, timeout);
    }

    private sealed record JobStored(string JobId) : INoSerializationVerificationNeeded;

    /// <summary>An answer that waits for the store.</summary>
    private sealed record ReplyWhenStored(IActorRef To, object Message) : INoSerializationVerificationNeeded;

    private sealed record JobEndStored(string JobId) : INoSerializationVerificationNeeded;

    /// <summary>A job's end, announced once <see cref="Written"/>.</summary>
    private sealed class EndNotice(JobRecord job, IJobEvent terminal)
    {
        public JobRecord Job { get; } = job;
        public IJobEvent Terminal { get; } = terminal;
        public bool Written { get; set; }
    }

    private sealed class SendRecords : INoSerializationVerificationNeeded
    {
        public static readonly SendRecords Instance = new();
    }

    private sealed class RestartJournal : INoSerializationVerificationNeeded
    {
        public static readonly RestartJournal Instance = new();
    }

    private sealed class SweepFinishedJobs : INoSerializationVerificationNeeded
    {
        public static readonly SweepFinishedJobs Instance = new();
    }
}
