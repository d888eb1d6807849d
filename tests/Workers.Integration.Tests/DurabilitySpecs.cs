using Akka.Actor;
using Npgsql;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// The job store against a real crash: a manager process running 500 jobs on real nodes is SIGKILLed half-way, a
/// new one starts on the same database, and every job is accounted for. Run against SQLite (the default store)
/// and against a PostgreSQL server.
/// </summary>
public class DurabilitySpecs(ITestOutputHelper output) : WorkersSpec("durability-specs", output)
{
    private readonly ITestOutputHelper _output = output;

    private const int Jobs = 500;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2); // 500 jobs on a loaded 2-core machine

    [Fact]
    public async Task Should_lose_no_accepted_job_when_the_manager_is_killed_in_the_middle_of_500_jobs_on_SQLite()
    {
        var folder = Directory.CreateTempSubdirectory("workers-durability-");
        try
        {
            await CrashAndRecoverAsync($"sqlite:{Path.Combine(folder.FullName, "workers.db")}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [PostgreSqlFact]
    public async Task Should_lose_no_accepted_job_when_the_manager_is_killed_in_the_middle_of_500_jobs_on_PostgreSQL()
    {
        // A database of its own: the store would otherwise recover the jobs of an earlier run.
        var database = $"workers_test_{Guid.NewGuid():N}";
        await using var admin = NpgsqlDataSource.Create(PostgreSqlFactAttribute.ConnectionString);
        await admin.CreateCommand($"CREATE DATABASE {database}").ExecuteNonQueryAsync();
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(PostgreSqlFactAttribute.ConnectionString) { Database = database, Pooling = false };
            await CrashAndRecoverAsync($"postgresql:{connection.ConnectionString}");
        }
        finally
        {
            await admin.CreateCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)").ExecuteNonQueryAsync();
        }
    }

    private async Task CrashAndRecoverAsync(string store)
    {
        // Run 1: 500 jobs of 20 ms on two nodes, killed once 100 have ended (submission may still be going on).
        var accepted = new HashSet<string>();
        var first = new Run();
        await using (var host = TestHostProcess.Start("2", "sleep", """{"ms":20}""", Jobs.ToString(), "--store", store))
        {
            while (first.Done.Count < 100 && await host.ReadLineAsync(Patience) is { } line)
            {
                if (line.StartsWith("ACCEPTED ", StringComparison.Ordinal))
                    accepted.Add(line[9..]);
                else
                    first.Read(line, Nodes);
            }
            Assert.True(first.Done.Count >= 100, "the first run ended before 100 jobs were done");
            await host.KillAsync();
        }
        _output.WriteLine($"killed after {accepted.Count} accepted, {first.Started.Count} started, {first.Done.Count} done");

        // Run 2: the same store, no new jobs. It runs what is left until every job has ended.
        var second = new Run();
        IReadOnlyDictionary<string, string> jobs;
        await using (var host = TestHostProcess.Start("2", "sleep", """{"ms":20}""", "0", "--store", store))
        {
            while (await host.ReadLineAsync(Patience) is { } line && line != "READY")
                second.Read(line, Nodes);
            while (true)
            {
                jobs = await host.ListJobsAsync(Patience, line => second.Read(line, Nodes));
                if (jobs.Values.All(status => status is "completed" or "failed" or "cancelled"))
                    break;
                second.Read(await host.ReadLineAsync(Patience) ?? throw new Xunit.Sdk.XunitException("the second run exited"), Nodes);
            }
        }
        _output.WriteLine($"recovered {jobs.Count} jobs; the second run started {second.Started.Count}");

        // No accepted job is lost, and every job has ended: all of them completed (sleep never fails).
        Assert.Empty(accepted.Except(jobs.Keys));
        Assert.InRange(jobs.Count, accepted.Count, Jobs);
        Assert.All(jobs, job => Assert.Equal("completed", job.Value));
        // A job whose end was announced is not run again...
        Assert.Empty(first.Done.Keys.Intersect(second.Started));
        // ...and a job runs twice only if it was running at the crash (re-queued: RecoverRunningJobs = Requeue).
        var twice = first.Started.Intersect(second.Started).ToList();
        Assert.All(twice, id => Assert.False(first.Done.ContainsKey(id)));
        Assert.InRange(twice.Count, 0, first.Started.Count - first.Done.Count);
    }

    /// <summary>What one manager process said about the jobs.</summary>
    private sealed class Run
    {
        public HashSet<string> Started { get; } = [];
        public Dictionary<string, string> Done { get; } = [];

        public void Read(string line, NodeProcesses nodes)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "STARTED":
                    Started.Add(parts[1]);
                    break;
                case "DONE":
                    Done[parts[1]] = parts[2];
                    break;
                case "NODE":
                    nodes.Add(int.Parse(parts[1]), "node of a test host");
                    break;
            }
        }
    }
}

/// <summary>A graceful stop with a job store: jobs are not failed, they wait for the next start.</summary>
public class GracefulRestartSpecs(ITestOutputHelper output) : WorkersSpec("graceful-restart-specs", output)
{
    [Fact]
    public async Task Should_keep_running_and_pending_jobs_through_a_graceful_stop_and_run_them_after_the_restart()
    {
        var folder = Directory.CreateTempSubdirectory("workers-graceful-");
        try
        {
            var options = Options(maxWorkers: 2) with { Store = JobStoreOptions.Sqlite(Path.Combine(folder.FullName, "workers.db")) };
            var manager = await StartManagerAsync(options);
            var subscriber = await SubscribeAsync(manager);
            var client = CreateTestProbe("client");
            var running = await SubmitAsync(client, manager, "sleep", new { ms = 600_000 });
            var pending = await SubmitAsync(client, manager, "echo", new { text = "after the restart" });
            await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);

            await CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(30));
            // The shutdown is over, so every event it caused has been delivered: none ended a job.
            var events = subscriber.ReceiveWhile(TimeSpan.FromMilliseconds(200), message => message);
            Assert.DoesNotContain(events, message => message is JobFailed or JobCancelled or JobCompleted);

            using var restarted = ActorSystem.Create("graceful-restart-2", WorkersConfiguration.Manager);
            var again = restarted.ActorOf(JobManagerActor.Props(options), JobManagerActor.ActorName(options.WorkerType));
            await Nodes.TrackAsync(restarted, again, Reply);
            try
            {
                await AwaitAssertAsync(async () =>
                {
                    var jobs = (await again.Ask<AllJobs>(GetAllJobs.Instance, Reply)).Jobs;
                    Assert.Equal([running.Id, pending.Id], jobs.Select(job => job.Id));
                    Assert.Equal(JobStatus.Running, jobs[0].Status); // re-queued, and started again first
                    Assert.Equal(JobStatus.Completed, jobs[1].Status);
                }, NodeStart);
                Assert.True((await again.Ask<CancelJobResult>(new CancelJob(running.Id), Reply)).Cancelled);
            }
            finally
            {
                await restarted.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }
}
