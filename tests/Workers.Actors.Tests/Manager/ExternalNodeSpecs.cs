using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>
/// Nodes that register themselves (started by an operator): the token decides, each becomes a slot of its own, and
/// a lost one takes its job with it and leaves no slot behind. A test probe plays the node; the real processes are in
/// the integration suite (RemoteNodeSpecs).
/// </summary>
public sealed class ExternalNodeSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private const string Token = "s3cret-token";

    private Task<IActorRef> StartExternalOnlyManagerAsync(WorkerConfig? worker = null) =>
        StartManagerAsync(options => options with { SpawnNodes = false, NodeToken = Token, Worker = worker ?? new WorkerConfig() });

    [Fact]
    public async Task Should_refuse_a_node_with_a_wrong_or_missing_token_saying_it_is_the_token()
    {
        var manager = await StartExternalOnlyManagerAsync();
        var node = CreateTestProbe("node");

        manager.Tell(Registration(node, "gpu-1", "not-the-token"), node.Ref);
        var wrong = await node.ExpectMsgAsync<WorkerRegistrationRefused>();
        manager.Tell(Registration(node, "gpu-1", token: null), node.Ref);
        var missing = await node.ExpectMsgAsync<WorkerRegistrationRefused>();

        Assert.True(wrong.TokenRejected);
        Assert.Contains("token", wrong.Reason);
        Assert.True(missing.TokenRejected);
        Assert.Contains("--token-file", missing.Reason);
        Assert.Empty(await WorkersAsync(manager));
    }

    [Fact]
    public async Task Should_refuse_every_external_node_when_no_token_is_configured()
    {
        var manager = await StartManagerAsync();
        var node = CreateTestProbe("node");

        manager.Tell(Registration(node, "gpu-1", Token), node.Ref);

        var refused = await node.ExpectMsgAsync<WorkerRegistrationRefused>();
        Assert.True(refused.TokenRejected);
        Assert.Contains("no NodeToken", refused.Reason);
    }

    [Fact]
    public async Task Should_run_jobs_on_an_external_node_that_presents_the_token()
    {
        var manager = await StartExternalOnlyManagerAsync();
        var job = await SubmitAsync(manager, "echo", """{"text":"far"}""");
        var node = CreateTestProbe("node");

        manager.Tell(Registration(node, "gpu-1", Token), node.Ref);

        var registered = await node.ExpectMsgAsync<WorkerRegistered>();
        Assert.Equal("gpu-1", registered.WorkerId);
        var execute = await node.ExpectMsgAsync<ExecuteJob>();
        Assert.Equal(job.Id, execute.JobId);
        node.Reply(new NodeJobSucceeded(job.Id, """{"text":"far"}""", 0));
        var completed = await Events.FishForMessageAsync<JobCompleted>(e => e.JobId == job.Id, Slow);
        Assert.Equal("far", completed.Result.GetProperty("text").GetString());
        var worker = Assert.Single(await WorkersAsync(manager));
        Assert.Equal(("gpu-1", 4242), (worker.WorkerId, worker.Pid));
    }

    [Fact]
    public async Task Should_fail_the_running_job_and_drop_the_slot_when_the_node_is_lost()
    {
        var manager = await StartExternalOnlyManagerAsync();
        var node = CreateTestProbe("node");
        manager.Tell(Registration(node, "gpu-1", Token), node.Ref);
        await node.ExpectMsgAsync<WorkerRegistered>();
        var job = await SubmitAsync(manager, "sleep", """{"ms":60000}""");
        await node.ExpectMsgAsync<ExecuteJob>();

        Sys.Stop(node.Ref); // DeathWatch: the node is gone

        var failed = await Events.FishForMessageAsync<JobFailed>(e => e.JobId == job.Id, Slow);
        Assert.Contains("was lost", failed.Error);
        Assert.Contains("while running the job", failed.Error);
        var exited = await Events.FishForMessageAsync<WorkerExited>(e => e.WorkerId == "gpu-1", Slow);
        Assert.Equal(4242, exited.Pid);
        await AwaitAssertAsync(async () => Assert.Empty(await WorkersAsync(manager)), Slow);
    }

    [Fact]
    public async Task Should_drop_a_node_that_stops_sending_heartbeats()
    {
        var manager = await StartExternalOnlyManagerAsync(new WorkerConfig
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            HeartbeatTimeout = TimeSpan.FromMilliseconds(500),
        });
        var node = CreateTestProbe("node"); // a probe sends no heartbeat: it is a node whose link went silent
        manager.Tell(Registration(node, "gpu-1", Token), node.Ref);
        await node.ExpectMsgAsync<WorkerRegistered>();

        var exited = await Events.FishForMessageAsync<WorkerExited>(e => e.WorkerId == "gpu-1", Slow);

        Assert.Contains("no heartbeat", exited.Reason);
        await AwaitAssertAsync(async () => Assert.Empty(await WorkersAsync(manager)), Slow);
    }

    [Fact]
    public async Task Should_send_a_pinned_plugin_only_to_the_slots_it_is_pinned_to()
    {
        var manager = await StartManagerAsync(options => options with
        {
            SpawnNodes = false,
            NodeToken = Token,
            PinnedPlugins = new Dictionary<string, ImmutableArray<string>> { ["echo"] = ["gpu-2"] },
        });
        var first = CreateTestProbe("node-1");
        var second = CreateTestProbe("node-2");
        manager.Tell(Registration(first, "gpu-1", Token), first.Ref);
        await first.ExpectMsgAsync<WorkerRegistered>();
        await AwaitAssertAsync(async () => Assert.Single(await WorkersAsync(manager), w => w.State == WorkerState.Idle), Slow);

        var echo = await SubmitAsync(manager, "echo");
        var sleep = await SubmitAsync(manager, "sleep", """{"ms":1}""");
        // gpu-1 is idle but echo is not allowed there: it takes the sleep job behind it, and echo waits for gpu-2.
        Assert.Equal(sleep.Id, (await first.ExpectMsgAsync<ExecuteJob>()).JobId);
        manager.Tell(Registration(second, "gpu-2", Token), second.Ref);
        await second.ExpectMsgAsync<WorkerRegistered>();
        Assert.Equal(echo.Id, (await second.ExpectMsgAsync<ExecuteJob>()).JobId);
    }

    [Fact]
    public async Task Should_refuse_an_external_node_that_takes_the_id_of_a_spawned_slot()
    {
        var manager = await StartManagerAsync(options => options with { NodeToken = Token });
        var node = CreateTestProbe("node");

        manager.Tell(Registration(node, "worker-1", Token), node.Ref);

        var refused = await node.ExpectMsgAsync<WorkerRegistrationRefused>();
        Assert.False(refused.TokenRejected);
        Assert.Contains("worker-1", refused.Reason);
    }

    private static RegisterWorker Registration(TestProbe node, string workerId, string? token) =>
        new(workerId, node.Ref, 4242, ["echo", "sleep", "tokens"], token);

    private async Task<IReadOnlyList<WorkerSnapshot>> WorkersAsync(IActorRef manager)
    {
        manager.Tell(GetWorkers.Instance, Client.Ref);
        return (await Client.ExpectMsgAsync<WorkersInfo>()).Workers;
    }
}
