using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// Worker nodes started by an operator, as real processes on loopback with ports of their own: the token decides
/// whether one joins the pool, a killed one takes its running job with it and leaves no slot behind, and started
/// again it registers and runs jobs again. The manager never starts such a node itself.
/// </summary>
public sealed class RemoteNodeSpecs : WorkersSpec
{
    private const int TokenRefused = 7;
    private const string Token = "remote-node-specs-token";

    private static readonly WorkerConfig Worker = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        HeartbeatTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("workers-remote-");

    public RemoteNodeSpecs(ITestOutputHelper output) : base("remote-node-specs", output)
    {
        TokenFile = Path.Combine(_folder.FullName, "token");
        File.WriteAllText(TokenFile, Token + "\n");
    }

    private string TokenFile { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Delete(recursive: true);
    }

    private JobManagerOptions ExternalOnly() => new()
    {
        WorkerType = "remote",
        PluginAssemblies = [SamplesAssembly],
        SpawnNodes = false,
        NodeTokenFile = TokenFile,
        Worker = Worker,
    };

    /// <summary>
    /// Node gpu-1 with its start-up trace on (WORKERS_NODE_TRACE_STARTUP), registering with a probe that plays its
    /// manager: the test then holds the node's actor ref, and answers the registration itself.
    /// </summary>
    private ExternalNode StartNodeFor(TestProbe fakeManager) =>
        ExternalNode.Start(Nodes, Output, [], new Dictionary<string, string> { ["WORKERS_NODE_TRACE_STARTUP"] = "1" },
            "--manager", AddressOf(fakeManager.Ref), "--worker-id", "gpu-1", "--hostname", "127.0.0.1", "--port", "0",
            "--plugins", ExternalNode.Samples);

    /// <summary>
    /// The node's actor as a stranger reaches it: by the path from the registration, with no lookup (a node answers no
    /// actor selection, hocon/worker-node.hocon).
    /// </summary>
    private static IActorRef ReachNodeFrom(ActorSystem stranger, RegisterWorker registration) =>
        ((ExtendedActorSystem)stranger).Provider.ResolveActorRef(registration.Worker.Path.ToString());

    private ExternalNode StartNode(IActorRef manager, string workerId, string? tokenFile = null) =>
        ExternalNode.Start(Nodes, Output, [],
            "--manager", AddressOf(manager), "--worker-id", workerId, "--token-file", tokenFile ?? TokenFile,
            "--hostname", "127.0.0.1", "--port", "0", "--plugins", ExternalNode.Samples);

    [Fact]
    public async Task Should_reach_a_node_listening_on_every_interface_at_its_public_hostname()
    {
        var manager = await StartManagerAsync(ExternalOnly());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // As behind NAT or in a container: the node binds every interface and names the address to connect back to.
        await using var node = ExternalNode.Start(Nodes, Output, [],
            "--manager", AddressOf(manager), "--worker-id", "gpu-nat", "--token-file", TokenFile,
            "--hostname", "0.0.0.0", "--public-hostname", "127.0.0.1", "--port", "0", "--plugins", ExternalNode.Samples);
        await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "gpu-nat", NodeStart);
        var (started, _) = await RunEchoAsync(client, subscriber, manager, "through the public hostname");

        Assert.Equal(node.Pid, started.WorkerPid);
        client.Send(manager, GetWorkers.Instance);
        var worker = Assert.Single((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers);
        Assert.Equal("127.0.0.1", worker.Host); // not 0.0.0.0, which Akka would give the manager without it
    }

    [Fact]
    public async Task Should_take_a_node_with_the_right_token_into_the_pool_and_run_jobs_on_it()
    {
        var manager = await StartManagerAsync(ExternalOnly());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        await using var node = StartNode(manager, "gpu-1");
        var started = await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "gpu-1", NodeStart);
        var (jobStarted, metadata) = await RunEchoAsync(client, subscriber, manager, "from an operator's node");

        Assert.Equal(node.Pid, started.Pid);
        Assert.Equal(("gpu-1", node.Pid), (jobStarted.WorkerId, jobStarted.WorkerPid));
        Assert.Equal(node.Pid, metadata.GetProperty("pid").GetInt32());
        client.Send(manager, GetWorkers.Instance);
        var worker = Assert.Single((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers);
        Assert.Equal(("gpu-1", "127.0.0.1", WorkerState.Idle), (worker.WorkerId, worker.Host, worker.State));

        // Plugin commands reach it too (their replies come from the manager's own system, which the node accepts).
        client.Send(manager, new ReloadPlugin("echo", Parameters(new { greeting = "hi" })));
        var reloaded = await client.ExpectMsgAsync<PluginCommandResult>(NodeStart);
        Assert.True(reloaded.Success, reloaded.Error);
    }

    [Fact]
    public async Task Should_refuse_a_node_with_a_wrong_token_and_log_the_refusal_on_both_sides()
    {
        var manager = await StartManagerAsync(ExternalOnly());
        var wrongToken = Path.Combine(_folder.FullName, "wrong-token");
        await File.WriteAllTextAsync(wrongToken, "not-the-token");
        var log = CreateTestProbe("log");
        Sys.EventStream.Subscribe(log.Ref, typeof(Akka.Event.Warning));

        await using var node = StartNode(manager, "gpu-bad", wrongToken);

        Assert.Equal(TokenRefused, await node.WaitForExitAsync(NodeStart));
        Assert.Contains("refused this node's token", node.Output); // the node's side
        var warning = await log.FishForMessageAsync<Akka.Event.Warning>(
            e => e.Message.ToString()!.Contains("Refused worker node [gpu-bad]"), Reply); // the manager's side
        Assert.Contains("token", warning.Message.ToString());
        var client = CreateTestProbe("client");
        client.Send(manager, GetWorkers.Instance);
        Assert.Empty((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers);
    }

    [Fact]
    public async Task Should_fail_the_job_of_a_killed_node_drop_its_slot_and_take_the_node_back_when_it_registers_again()
    {
        var manager = await StartManagerAsync(ExternalOnly());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        await using var first = StartNode(manager, "gpu-1");
        await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "gpu-1", NodeStart);
        var job = await SubmitAsync(client, manager, "sleep", new { ms = 600_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);

        var clock = Stopwatch.StartNew();
        first.Kill();
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);
        Output?.WriteLine($"Killed node's job failed {clock.ElapsedMilliseconds} ms after the kill: {failed.Error}");

        Assert.Contains("worker node on host 127.0.0.1 was lost", failed.Error);
        Assert.Contains("while running the job", failed.Error);
        await AwaitAssertAsync(async () =>
        {
            client.Send(manager, GetWorkers.Instance);
            Assert.Empty((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers); // gone, and not respawned by the manager
        }, NodeStart);

        // The operator's supervisor starts the node again: it registers and runs jobs again.
        await using var second = StartNode(manager, "gpu-1");
        var back = await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "gpu-1", NodeStart);
        var (started, _) = await RunEchoAsync(client, subscriber, manager, "back again");
        Assert.Equal((second.Pid, second.Pid), (back.Pid, started.WorkerPid));
        Assert.NotEqual(first.Pid, second.Pid);
    }

    [Fact]
    public async Task Should_cancel_a_job_on_an_external_node_by_ending_the_node_process()
    {
        var manager = await StartManagerAsync(ExternalOnly());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        await using var node = StartNode(manager, "gpu-1");
        await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "gpu-1", NodeStart);
        var job = await SubmitAsync(client, manager, "busy", new { ms = 600_000 }); // never looks at its cancellation token
        await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);

        client.Send(manager, new CancelJob(job.Id));

        var result = await client.ExpectMsgAsync<CancelJobResult>(NodeStart);
        Assert.True(result.Cancelled, result.Reason);
        await ExpectEndAsync<JobCancelled>(subscriber, job.Id);
        Assert.Equal(0, await node.WaitForExitAsync(NodeStart)); // asked to exit; its supervisor would start it again
    }

    [Fact]
    public async Task Should_run_a_pinned_plugin_on_the_external_node_and_another_on_the_spawned_slot_it_is_pinned_to()
    {
        var manager = await StartManagerAsync(ExternalOnly() with
        {
            SpawnNodes = true,
            PinnedPlugins = new Dictionary<string, ImmutableArray<string>> { ["echo"] = ["gpu-1"], ["sleep"] = ["worker-1"] },
        });
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        await using var node = StartNode(manager, "gpu-1");
        await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "gpu-1", NodeStart);

        var (echo, _) = await RunEchoAsync(client, subscriber, manager);
        var sleep = await SubmitAsync(client, manager, "sleep", new { ms = 1 });
        var sleepStarted = await ExpectJobEventAsync<JobStarted>(subscriber, sleep.Id);
        await ExpectEndAsync<JobCompleted>(subscriber, sleep.Id);

        Assert.Equal(("gpu-1", node.Pid), (echo.WorkerId, echo.WorkerPid));
        Assert.Equal("worker-1", sleepStarted.WorkerId); // idle gpu-1 was passed over: sleep is pinned to the spawned slot
        Assert.NotEqual(node.Pid, sleepStarted.WorkerPid);
    }

    [Fact]
    public async Task Should_take_commands_only_from_the_manager_session_it_registered_with()
    {
        // A probe plays the manager, so that the test holds the node's actor ref; a second ActorSystem is a stranger.
        var fakeManager = CreateTestProbe("fake-manager");
        await using var node = StartNodeFor(fakeManager);
        var registration = await fakeManager.ExpectMsgAsync<RegisterWorker>(NodeStart);
        fakeManager.Reply(new WorkerRegistered("gpu-1", TimeSpan.FromSeconds(1)));
        using var stranger = ActorSystem.Create("stranger", WorkersConfiguration.Manager);
        try
        {
            var strangerProbe = CreateTestProbe(stranger, "stranger");
            var nodeFromStranger = ReachNodeFrom(stranger, registration);

            nodeFromStranger.Tell(new ExecuteJob("from-stranger", "echo", """{"text":"x"}""", false, "{}", 100), strangerProbe.Ref);
            await AwaitConditionAsync(() => Task.FromResult(node.Output.Contains("Dropped [ExecuteJob]")), NodeStart);
            registration.Worker.Tell(new ExecuteJob("from-manager", "echo", """{"text":"y"}""", false, "{}", 100), fakeManager.Ref);

            var outcome = await fakeManager.FishForMessageAsync<IWorkerWireMessage>(message => message is NodeJobSucceeded or NodeJobFailed, NodeStart);
            Assert.Equal("from-manager", Assert.IsType<NodeJobSucceeded>(outcome).JobId);
        }
        finally
        {
            await stranger.Terminate().WaitAsync(NodeStart);
        }
    }

    [Fact]
    public async Task Should_warm_up_its_job_path_as_soon_as_it_registers_before_any_job()
    {
        // The warm-up sets System.Text.Json up (25–40 ms on a fresh node) so that a spare's first job does not have to.
        var fakeManager = CreateTestProbe("fake-manager");
        await using var node = StartNodeFor(fakeManager);
        await fakeManager.ExpectMsgAsync<RegisterWorker>(NodeStart);
        Assert.DoesNotContain("job path warmed up", node.Output); // not registered yet

        fakeManager.Reply(new WorkerRegistered("gpu-1", TimeSpan.FromSeconds(1)));

        // Its start-up trace writes a line of its own when the warm-up ends; no job has been sent.
        await AwaitConditionAsync(() => Task.FromResult(node.Output.Contains("startup: job path warmed up")), NodeStart);
        var lines = node.Output.Split(Environment.NewLine);
        var registered = Array.FindIndex(lines, line => line.StartsWith("startup: main", StringComparison.Ordinal) && line.Contains("registered"));
        var warmedUp = Array.FindIndex(lines, line => line.StartsWith("startup: job path warmed up", StringComparison.Ordinal));
        Assert.InRange(registered, 0, warmedUp - 1);
        Assert.Single(lines, line => line.StartsWith("startup: loaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_refuse_what_a_stranger_writes_with_Akkas_json_serializer_or_a_PoisonPill_and_go_on_serving_its_manager()
    {
        var fakeManager = CreateTestProbe("fake-manager");
        await using var node = StartNodeFor(fakeManager);
        var registration = await fakeManager.ExpectMsgAsync<RegisterWorker>(NodeStart);
        fakeManager.Reply(new WorkerRegistered("gpu-1", TimeSpan.FromSeconds(1)));
        // Akka's defaults: what has no serializer of its own travels as JSON naming its type, for the receiver to build.
        using var stranger = ActorSystem.Create("stranger", "akka.actor.provider = remote\nakka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }");
        try
        {
            var payload = new List<string> { "built by the node?" };
            Assert.IsType<Akka.Serialization.NewtonSoftJsonSerializer>(stranger.Serialization.FindSerializerFor(payload));
            var nodeFromStranger = ReachNodeFrom(stranger, registration);

            // A PoisonPill would stop the node's actor, and with it the node's service: Akka's untrusted mode drops it.
            nodeFromStranger.Tell(PoisonPill.Instance);
            nodeFromStranger.Tell(payload);
            // Once the JSON payload (sent after it, on the same link) is refused, the PoisonPill has reached the node too.
            await AwaitConditionAsync(() => Task.FromResult(node.Output.Contains("Refused a message written by Akka's default JSON serializer")), NodeStart);
            registration.Worker.Tell(new ExecuteJob("after-the-stranger", "echo", """{"text":"y"}""", false, "{}", 100), fakeManager.Ref);

            var outcome = await fakeManager.FishForMessageAsync<IWorkerWireMessage>(message => message is NodeJobSucceeded or NodeJobFailed, NodeStart);
            Assert.Equal("after-the-stranger", Assert.IsType<NodeJobSucceeded>(outcome).JobId);
            // Nor does the node load Newtonsoft.Json on its way to registering (its start-up trace lists what it loaded).
            var loaded = Assert.Single(node.Output.Split(Environment.NewLine), line => line.StartsWith("startup: loaded", StringComparison.Ordinal));
            Assert.Contains("Akka.Remote", loaded);
            Assert.DoesNotContain("Newtonsoft.Json", loaded);
            Assert.DoesNotContain("Microsoft.Extensions.Logging", loaded.Split(", ")); // DotNetty's own logger factory: off on a node
        }
        finally
        {
            await stranger.Terminate().WaitAsync(NodeStart);
        }
    }
}
