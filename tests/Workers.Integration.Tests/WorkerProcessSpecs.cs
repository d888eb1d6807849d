using Akka.Configuration;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>Jobs run in worker-node processes of their own, one job per slot at a time.</summary>
public class WorkerProcessSpecs(ITestOutputHelper output) : WorkersSpec("worker-process-specs", output)
{
    [Fact]
    public async Task Should_run_an_echo_job_in_a_worker_process_that_is_not_the_test_process()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var metadata = new Dictionary<string, string> { ["requestedBy"] = "worker-process-specs" };
        var job = await SubmitAsync(client, manager, "echo", new { text = "hello from far away" }, new JobOptions { Metadata = metadata });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var completed = await ExpectEndAsync<JobCompleted>(subscriber, job.Id);

        Assert.Equal("hello from far away", completed.Result.GetProperty("text").GetString());
        var where = completed.Result.GetProperty("metadata");
        Assert.Equal(started.WorkerPid, where.GetProperty("pid").GetInt32());
        Assert.NotEqual(Environment.ProcessId, started.WorkerPid);
        Assert.Equal(started.WorkerId, where.GetProperty("workerId").GetString());

        var snapshot = await GetJobAsync(client, manager, job.Id);
        Assert.NotNull(snapshot);
        Assert.Equal(JobStatus.Completed, snapshot.Status);
        Assert.Equal(started.WorkerPid, snapshot.WorkerPid);
        Assert.Equal(started.WorkerId, snapshot.WorkerId);
        Assert.Equal("hello from far away", snapshot.Result?.GetProperty("text").GetString());
        Assert.Equal(metadata, snapshot.Metadata);
    }

    [LinuxFact]
    public async Task Should_start_a_node_that_reaches_its_manager_over_the_direct_transport_without_DotNetty()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var job = await SubmitAsync(client, manager, "echo", new { text = "over loopback" });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        await ExpectEndAsync<JobCompleted>(subscriber, job.Id);

        // The manager gave the node its akka.direct:// path, and the node has Akka.Remote mapped but not DotNetty.
        var commandLine = (await File.ReadAllTextAsync($"/proc/{started.WorkerPid}/cmdline")).Split('\0');
        Assert.StartsWith("akka.direct://worker-process-specs@127.0.0.1:", commandLine[Array.IndexOf(commandLine, "--manager") + 1]);
        var mapped = await File.ReadAllTextAsync($"/proc/{started.WorkerPid}/maps");
        Assert.Contains("Akka.Remote.dll", mapped);
        Assert.DoesNotContain("DotNetty", mapped);
    }

    [Fact]
    public async Task Should_run_two_jobs_at_the_same_time_on_two_slots_with_different_pids()
    {
        var manager = await StartManagerAsync(Options(maxWorkers: 2));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // Warm both slots first: two pending jobs make the manager start two nodes. Once both are idle the two sleeps
        // below go straight to them, so no node start-up can come between their starts.
        var warmUps = new[] { await SubmitAsync(client, manager, "echo"), await SubmitAsync(client, manager, "echo") };
        await ReceiveUntilEndedAsync(subscriber, [.. warmUps.Select(job => job.Id)]);
        await AwaitAssertAsync(async () =>
        {
            client.Send(manager, GetWorkers.Instance);
            var workers = (await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers;
            Assert.Equal(2, workers.Count);
            Assert.All(workers, worker => Assert.Equal(WorkerState.Idle, worker.State));
        }, NodeStart);

        var first = await SubmitAsync(client, manager, "sleep", new { ms = 2000 });
        var second = await SubmitAsync(client, manager, "sleep", new { ms = 2000 });
        var events = await ReceiveUntilEndedAsync(subscriber, [first.Id, second.Id]);

        var starts = events.TakeWhile(e => e is not (JobCompleted or JobFailed or JobCancelled)).OfType<JobStarted>().ToList();
        Assert.True(starts.Count == 2, $"Both jobs should start before either ends; events: {string.Join(", ", events)}");
        Assert.NotEqual(starts[0].WorkerPid, starts[1].WorkerPid);
        Assert.NotEqual(starts[0].WorkerId, starts[1].WorkerId);
        Assert.Equal(2, events.OfType<JobCompleted>().Count());
    }
}

/// <summary>
/// An application whose configuration lists its own transports without Workers' direct one: the nodes its managers
/// start reach them over DotNetty, as every node did before the direct transport.
/// </summary>
public sealed class DotNettyOnlyWorkerProcessSpecs(ITestOutputHelper output)
    : WorkersSpec(ConfigurationFactory.ParseString("akka.remote.enabled-transports = [\"akka.remote.dot-netty.tcp\"]").WithFallback(WorkersConfiguration.Manager),
        "dotnetty-only-specs", output)
{
    [LinuxFact]
    public async Task Should_start_nodes_that_reach_their_manager_over_DotNetty()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var (started, metadata) = await RunEchoAsync(client, subscriber, manager, "over DotNetty");

        Assert.Equal(started.WorkerPid, metadata.GetProperty("pid").GetInt32());
        var commandLine = (await File.ReadAllTextAsync($"/proc/{started.WorkerPid}/cmdline")).Split('\0');
        Assert.StartsWith("akka.tcp://dotnetty-only-specs@127.0.0.1:", commandLine[Array.IndexOf(commandLine, "--manager") + 1]);
    }
}
