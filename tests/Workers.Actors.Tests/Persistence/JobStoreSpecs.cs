using Akka.Actor;
using Microsoft.Data.Sqlite;
using Workers.Actors.Tests.Manager;
using Xunit;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Persistence;

/// <summary>
/// The job store through the manager: a manager is stopped the hard way (its actor stopped, no graceful shutdown, its
/// nodes killed with it) and a new one started on the same store. The in-memory journal outlives the manager
/// because it belongs to the ActorSystem; the SQLite specs use a file of their own.
/// </summary>
public sealed class JobStoreSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private readonly string _folder = Directory.CreateTempSubdirectory("workers-store-").FullName;

    [Fact]
    public async Task Should_run_pending_jobs_and_requeue_the_running_one_after_a_restart()
    {
        var manager = await StartManagerAsync(Store(JobStoreOptions.InMemory));
        var running = await SubmitAsync(manager, "sleep", """{"ms":600000}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id);
        // Accepted only once written, and written after the start of the running job: the store has both.
        var first = await SubmitAsync(manager, "echo", """{"text":"a"}""");
        var second = await SubmitAsync(manager, "echo", """{"text":"b"}""");

        manager = await RestartAsync(manager, Store(JobStoreOptions.InMemory));

        Assert.Equal([running.Id, first.Id, second.Id], (await GetAllJobsAsync(manager)).Select(job => job.Id));
        var again = await NextOfJobAsync<JobStarted>(Events, running.Id); // re-queued first: it was submitted first
        Assert.True((await CancelAsync(manager, running.Id)).Cancelled);
        Assert.Equal("a", (await NextOfJobAsync<JobCompleted>(Events, first.Id)).Result.GetProperty("text").GetString());
        Assert.Equal("b", (await NextOfJobAsync<JobCompleted>(Events, second.Id)).Result.GetProperty("text").GetString());
        Assert.Equal(running.Id, again.JobId);
    }

    [Fact]
    public async Task Should_fail_the_job_that_was_running_when_RecoverRunningJobs_is_Fail()
    {
        var store = JobStoreOptions.InMemory with { RecoverRunningJobs = RecoverRunningJobs.Fail };
        var manager = await StartManagerAsync(Store(store));
        var running = await SubmitAsync(manager, "sleep", """{"ms":600000}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id);
        var pending = await SubmitAsync(manager, "echo", """{"text":"after"}""");

        manager = await RestartAsync(manager, Store(store));

        await NextOfJobAsync<JobCompleted>(Events, pending.Id);
        var failed = await GetJobAsync(manager, running.Id);
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Contains("RecoverRunningJobs = Fail", failed.Error);
        Assert.NotNull(failed.CompletedAt);
    }

    [Fact]
    public async Task Should_keep_results_errors_and_cancellations_of_finished_jobs()
    {
        var manager = await StartManagerAsync(Store(JobStoreOptions.InMemory));
        var echo = await SubmitAsync(manager, "echo", """{"text":"kept"}""", new JobOptions { Metadata = new Dictionary<string, string> { ["owner"] = "ana" } });
        await NextOfJobAsync<JobCompleted>(Events, echo.Id);
        var fail = await SubmitAsync(manager, "fail", """{"message":"broken on purpose"}""");
        await NextOfJobAsync<JobFailed>(Events, fail.Id);
        var blocker = await SubmitAsync(manager, "sleep", """{"ms":600000}""");
        var cancelled = await SubmitAsync(manager, "echo", """{"text":"never"}""");
        Assert.True((await CancelAsync(manager, cancelled.Id)).Cancelled);
        Assert.True((await CancelAsync(manager, blocker.Id)).Cancelled);
        var before = await GetAllJobsAsync(manager);

        manager = await RestartAsync(manager, Store(JobStoreOptions.InMemory));

        var after = await GetAllJobsAsync(manager);
        Assert.Equal(before.Select(Describe), after.Select(Describe));
        Assert.Equal("kept", after[0].Result!.Value.GetProperty("text").GetString());
        Assert.Equal("ana", after[0].Metadata["owner"]);
        Assert.Equal("broken on purpose", after[1].Error);
        Assert.Equal([JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Cancelled], after.Select(job => job.Status));
    }

    [Fact]
    public async Task Should_answer_a_resubmitted_job_id_with_the_recovered_job()
    {
        var manager = await StartManagerAsync(Store(JobStoreOptions.InMemory));
        var original = await SubmitAsync(manager, "echo", """{"text":"once"}""", new JobOptions { JobId = "order-17" });
        await NextOfJobAsync<JobCompleted>(Events, original.Id);

        manager = await RestartAsync(manager, Store(JobStoreOptions.InMemory));

        var again = await SubmitAsync(manager, "echo", """{"text":"twice?"}""", new JobOptions { JobId = "order-17" });
        Assert.Equal(JobStatus.Completed, again.Status);
        Assert.Equal("once", again.Result!.Value.GetProperty("text").GetString());
        Assert.Single(await GetAllJobsAsync(manager));
    }

    [Fact]
    public async Task Should_keep_submission_order_across_snapshots_and_restarts()
    {
        var store = JobStoreOptions.InMemory with { SnapshotEvery = 4 }; // a snapshot every few jobs
        var manager = await StartManagerAsync(Store(store));
        var submitted = new List<string>();
        for (var i = 0; i < 12; i++)
            submitted.Add((await SubmitAsync(manager, "echo", $$"""{"text":"{{i}}"}""")).Id);
        foreach (var id in submitted)
            await NextOfJobAsync<JobCompleted>(Events, id);

        manager = await RestartAsync(manager, Store(store));
        var later = await SubmitAsync(manager, "echo", """{"text":"later"}""");
        await NextOfJobAsync<JobCompleted>(Events, later.Id);

        var all = await GetAllJobsAsync(manager);
        Assert.Equal([.. submitted, later.Id], all.Select(job => job.Id));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i.ToString()), all.Take(12).Select(job => job.Result!.Value.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Should_forget_cleared_jobs_across_a_restart()
    {
        var manager = await StartManagerAsync(Store(JobStoreOptions.InMemory));
        var done = await SubmitAsync(manager, "echo", """{"text":"x"}""");
        await NextOfJobAsync<JobCompleted>(Events, done.Id);
        var waiting = await SubmitAsync(manager, "sleep", """{"ms":600000}""");
        await NextOfJobAsync<JobStarted>(Events, waiting.Id);
        manager.Tell(ClearCompletedJobs.Instance, Client.Ref);
        Assert.Equal(1, (await Client.ExpectMsgAsync<CompletedJobsCleared>()).Count);

        manager = await RestartAsync(manager, Store(JobStoreOptions.InMemory));

        Assert.Equal([waiting.Id], (await GetAllJobsAsync(manager)).Select(job => job.Id));
    }

    [Fact]
    public async Task Should_remove_finished_jobs_past_the_retention_period()
    {
        var store = JobStoreOptions.InMemory with { FinishedJobRetention = TimeSpan.FromMilliseconds(200) };
        var manager = await StartManagerAsync(Store(store));
        var done = await SubmitAsync(manager, "echo", """{"text":"short-lived"}""");
        await NextOfJobAsync<JobCompleted>(Events, done.Id);
        var running = await SubmitAsync(manager, "sleep", """{"ms":600000}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id);

        await AwaitAssertAsync(async () => Assert.Equal([running.Id], (await GetAllJobsAsync(manager)).Select(job => job.Id)), Slow);
        manager = await RestartAsync(manager, Store(store));
        // A removal not yet written when the manager stopped is made again by the first sweep after the restart.
        await AwaitAssertAsync(async () => Assert.Equal([running.Id], (await GetAllJobsAsync(manager)).Select(job => job.Id)), Slow);
    }

    [Fact]
    public async Task Should_refuse_jobs_with_the_reason_while_the_store_cannot_be_read()
    {
        // Nothing listens on port 1: the recovery fails at once, and the manager says so instead of hanging.
        var store = JobStoreOptions.PostgreSql("Host=127.0.0.1;Port=1;Database=workers;Username=workers;Password=none;Timeout=3");
        var manager = await StartManagerAsync(Store(store), subscribeEvents: false);

        manager.Tell(new StartJob("echo", Json("{}")), Client.Ref);
        var rejection = await Client.ExpectMsgAsync<JobRejected>(TimeSpan.FromSeconds(60));

        Assert.Equal(JobRejectionKind.Unavailable, rejection.Kind);
        Assert.Contains("job store is unavailable", rejection.Reason);
    }

    [Fact]
    public async Task Should_keep_jobs_in_a_SQLite_file_across_a_restart()
    {
        var database = Path.Combine(_folder, "nested", "workers.db"); // the folder is created
        var manager = await StartManagerAsync(Store(JobStoreOptions.Sqlite(database)));
        var done = await SubmitAsync(manager, "echo", """{"text":"on disk"}""");
        await NextOfJobAsync<JobCompleted>(Events, done.Id);
        var running = await SubmitAsync(manager, "sleep", """{"ms":600000}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id);
        var pending = await SubmitAsync(manager, "echo", """{"text":"waits"}""");

        manager = await RestartAsync(manager, Store(JobStoreOptions.Sqlite(database)));

        var all = await GetAllJobsAsync(manager);
        Assert.Equal([done.Id, running.Id, pending.Id], all.Select(job => job.Id));
        Assert.Equal("on disk", all[0].Result!.Value.GetProperty("text").GetString());
        await NextOfJobAsync<JobStarted>(Events, running.Id); // re-queued
        Assert.True((await CancelAsync(manager, running.Id)).Cancelled);
        await NextOfJobAsync<JobCompleted>(Events, pending.Id);
    }

    [Fact]
    public async Task Should_delete_cleared_jobs_from_the_SQLite_file()
    {
        var database = Path.Combine(_folder, "workers.db");
        var manager = await StartManagerAsync(Store(JobStoreOptions.Sqlite(database)));
        var secret = await SubmitAsync(manager, "echo", """{"text":"needle-4f1c"}""");
        await NextOfJobAsync<JobCompleted>(Events, secret.Id);
        Assert.NotEqual(0, RowsMentioning(database, "needle-4f1c"));

        manager.Tell(ClearCompletedJobs.Instance, Client.Ref);
        Assert.Equal(1, (await Client.ExpectMsgAsync<CompletedJobsCleared>()).Count);

        // The clear is followed by a snapshot without the job, and the events and snapshots before it are deleted.
        await AwaitAssertAsync(() => Assert.Equal(0, RowsMentioning(database, "needle-4f1c")), Slow);
        manager = await RestartAsync(manager, Store(JobStoreOptions.Sqlite(database)));
        Assert.Empty(await GetAllJobsAsync(manager));
    }

    [Fact]
    public async Task Should_answer_a_repeat_submitted_while_the_job_is_written_as_the_write_turns_out()
    {
        var database = Path.Combine(_folder, "workers.db");
        var manager = await StartManagerAsync(Store(JobStoreOptions.Sqlite(database)));
        await NextOfJobAsync<JobCompleted>(Events, (await SubmitAsync(manager, "echo")).Id); // recovered and writing
        // Every write fails from now on: the job is never stored, so it must not be called accepted, not even once.
        Execute(database, "DROP TABLE journal;");

        // One burst: the repeat arrives before the first submit's write has even been sent to the store.
        var start = new StartJob("echo", Json("{}"), new JobOptions { JobId = "order-18" });
        var first = CreateTestProbe("first");
        var repeat = CreateTestProbe("repeat");
        manager.Tell(start, first.Ref);
        manager.Tell(start, repeat.Ref);

        var refused = await first.ExpectMsgAsync<JobRejected>(Slow);
        Assert.Equal(JobRejectionKind.Unavailable, refused.Kind);
        Assert.Equal(refused, await repeat.ExpectMsgAsync<JobRejected>(Slow));
        Assert.DoesNotContain(await GetAllJobsAsync(manager), job => job.Id == "order-18");
    }

    [Fact]
    public async Task Should_call_OnJobCompleted_only_once_the_store_has_the_job_s_end()
    {
        var database = Path.Combine(_folder, "workers.db");
        var hooks = new EndInStoreHooks(database);
        var manager = await StartManagerAsync(options => Store(JobStoreOptions.Sqlite(database))(options) with { Hooks = hooks });

        var jobs = new List<string>();
        for (var i = 0; i < 20; i++)
            jobs.Add((await SubmitAsync(manager, "echo", $$"""{"text":"{{i}}"}""")).Id);
        foreach (var id in jobs)
            await NextOfJobAsync<JobCompleted>(Events, id);

        await AwaitAssertAsync(() => Assert.Equal(jobs, hooks.Called), Slow);
        Assert.Empty(hooks.NotYetWritten);
    }

    /// <summary>Looks in the SQLite file, from inside the hook, for the end of the job it is called with.</summary>
    private sealed class EndInStoreHooks(string database) : JobManagerHooks
    {
        private readonly List<string> _called = [];
        private readonly List<string> _notYetWritten = [];

        public IReadOnlyList<string> Called { get { lock (_called) return [.. _called]; } }
        public IReadOnlyList<string> NotYetWritten { get { lock (_called) return [.. _notYetWritten]; } }

        public override void OnJobCompleted(JobSnapshot job)
        {
            var written = RowsMentioning(database, "{\"kind\":\"ended\",\"JobId\":\"" + job.Id + "\"") > 0;
            lock (_called)
            {
                _called.Add(job.Id);
                if (!written)
                    _notYetWritten.Add(job.Id);
            }
        }
    }

    [Fact]
    public async Task Should_keep_the_jobs_of_two_managers_apart_in_one_SQLite_file()
    {
        var database = Path.Combine(_folder, "shared.db");
        Func<JobManagerOptions, JobManagerOptions> Typed(string type) => options => Store(JobStoreOptions.Sqlite(database))(options) with { WorkerType = type };
        var alpha = await StartManagerAsync(Typed("alpha"));
        var beta = await StartManagerAsync(Typed("beta"));
        var a = await SubmitAsync(alpha, "echo", """{"text":"alpha"}""");
        var b = await SubmitAsync(beta, "echo", """{"text":"beta"}""");
        // The two managers finish in either order.
        var completed = new HashSet<string>();
        while (completed.Count < 2)
            completed.Add((await NextAsync<JobCompleted>(Events, e => e.JobId == a.Id || e.JobId == b.Id)).JobId);

        alpha = await RestartAsync(alpha, Typed("alpha"));
        beta = await RestartAsync(beta, Typed("beta"));

        Assert.Equal([a.Id], (await GetAllJobsAsync(alpha)).Select(job => job.Id));
        Assert.Equal([b.Id], (await GetAllJobsAsync(beta)).Select(job => job.Id));
    }

    private static Func<JobManagerOptions, JobManagerOptions> Store(JobStoreOptions store) =>
        options => options with { Store = store, Worker = new WorkerConfig() };

    private async Task<IActorRef> RestartAsync(IActorRef manager, Func<JobManagerOptions, JobManagerOptions> configure)
    {
        Watch(manager);
        Sys.Stop(manager); // like a crash: no graceful stop, the nodes die with the manager
        await ExpectTerminatedAsync(manager, Slow);
        // The watcher may hear of the stop before the guardian has freed the actor's name.
        IActorRef? restarted = null;
        await AwaitAssertAsync(async () =>
        {
            try
            {
                restarted = await StartManagerAsync(configure);
            }
            catch (InvalidActorNameException e)
            {
                throw new Xunit.Sdk.XunitException(e.Message);
            }
        }, Slow);
        return restarted!;
    }

    private static string Describe(JobSnapshot job) =>
        $"{job.Id} {job.PluginId} {job.Status} {job.CreatedAt:O} {job.StartedAt:O} {job.CompletedAt:O} {job.Result?.GetRawText()} {job.Error} {job.WorkerId} {job.WorkerPid}";

    private static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Rows of any table of the database whose text or payload contains <paramref name="needle"/>.</summary>
    private static long RowsMentioning(string database, string needle)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        long rows = 0;
        foreach (var table in tables)
        {
            using var columns = connection.CreateCommand();
            columns.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
            var names = new List<string>();
            using (var reader = columns.ExecuteReader())
                while (reader.Read())
                    names.Add(reader.GetString(0));
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table}\" WHERE " + string.Join(" OR ", names.Select(name => $"instr(CAST(\"{name}\" AS BLOB), CAST($needle AS BLOB)) > 0"));
            count.Parameters.AddWithValue("$needle", needle);
            rows += (long)count.ExecuteScalar()!;
        }
        return rows;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
            return;
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a journal that is going down: the temp folder is cleaned by the OS.
        }
    }
}
