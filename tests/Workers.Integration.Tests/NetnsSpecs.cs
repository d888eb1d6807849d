using System.Diagnostics;
using Akka.Configuration;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>The namespace, the veth pair and the token of <see cref="NetnsSpecs"/>: made before the manager's system binds to the link.</summary>
public sealed class NetnsFixture : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("workers-netns-");

    public NetnsFixture()
    {
        TokenFile = Path.Combine(_folder.FullName, "token");
        File.WriteAllText(TokenFile, "netns-specs-token");
        if (NetworkNamespace.MissingReason is null)
            Network = NetworkNamespace.Create();
    }

    /// <summary>Null where namespaces cannot be made (the tests are skipped then).</summary>
    public NetworkNamespace? Network { get; }

    public string TokenFile { get; }

    /// <summary>The manager listens on its end of the veth link, so that the node reaches it over that link only.</summary>
    public Config ManagerConfig => Network is { } network
        ? WorkersConfiguration.ManagerOn(new WorkersRemoting { Hostname = network.HostAddress })
        : WorkersConfiguration.Manager;

    public void Dispose()
    {
        Network?.Dispose();
        _folder.Delete(recursive: true);
    }
}

/// <summary>
/// Two hosts on one machine: the manager in the root network namespace, a worker node in a namespace of its own,
/// joined by a veth pair. The node registers over that link and runs jobs (and a node on the other host that claims
/// its worker id is refused); when the link is cut (no connection is
/// closed: packets just stop) the manager detects the loss within the heartbeat bound, fails the running job with the
/// node's host in the reason and drops the slot, and the node, cut off from its manager, exits by itself.
/// </summary>
public sealed class NetnsSpecs(NetnsFixture fixture, ITestOutputHelper output)
    : WorkersSpec(fixture.ManagerConfig, "netns-specs", output), IClassFixture<NetnsFixture>
{
    private const int RegistrationRefused = 5;
    private const int ManagerLost = 6;

    private static readonly WorkerConfig Worker = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        HeartbeatTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>Scheduling slack on a loaded 2-core machine, on top of the configured bound.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    [NetnsFact]
    public async Task Should_run_jobs_on_a_node_in_another_namespace_and_fail_its_job_within_the_bound_when_the_link_is_cut()
    {
        var network = fixture.Network!;
        var manager = await StartManagerAsync(new JobManagerOptions
        {
            WorkerType = "netns",
            PluginAssemblies = [SamplesAssembly],
            SpawnNodes = false,
            NodeTokenFile = fixture.TokenFile,
            Worker = Worker,
            Store = JobStoreOptions.InMemory,
        });
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        Assert.Contains($"@{network.HostAddress}:", AddressOf(manager));

        await using var node = ExternalNode.Start(Nodes, Output, network.ExecPrefix,
            "--manager", AddressOf(manager), "--hostname", network.NodeAddress, "--port", "0", "--worker-id", "far-1",
            "--token-file", fixture.TokenFile, "--plugins", ExternalNode.Samples);
        await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "far-1", NodeStart);
        var (echo, metadata) = await RunEchoAsync(client, subscriber, manager, "across the veth link");
        Assert.Equal(("far-1", node.Pid), (echo.WorkerId, metadata.GetProperty("pid").GetInt32()));
        client.Send(manager, GetWorkers.Instance);
        Assert.Equal(network.NodeAddress, Assert.Single((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers).Host);

        // Another host (the root namespace) that claims the same worker id is refused while the first one is registered.
        await using (var impostor = ExternalNode.Start(Nodes, Output, [],
                         "--manager", AddressOf(manager), "--hostname", network.HostAddress, "--port", "0", "--worker-id", "far-1",
                         "--token-file", fixture.TokenFile, "--plugins", ExternalNode.Samples))
        {
            Assert.Equal(RegistrationRefused, await impostor.WaitForExitAsync(NodeStart));
            Assert.Contains($"already registered from host {network.NodeAddress}", impostor.Output);
        }

        var job = await SubmitAsync(client, manager, "sleep", new { ms = 600_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var clock = Stopwatch.StartNew();
        network.CutLink();

        var bound = Worker.HeartbeatTimeout + Slack;
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id, bound);
        var detected = clock.Elapsed;
        Output?.WriteLine($"Link cut → JobFailed in {detected.TotalMilliseconds:0} ms (HeartbeatTimeout {Worker.HeartbeatTimeout.TotalSeconds} s): {failed.Error}");

        Assert.Contains($"worker node on host {network.NodeAddress} was lost", failed.Error);
        Assert.Contains("while running the job", failed.Error);
        await AwaitAssertAsync(async () =>
        {
            client.Send(manager, GetWorkers.Instance);
            Assert.Empty((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers);
        }, Reply);
        // Nothing hangs on the other side either: the node loses its manager and exits, so its supervisor can restart it.
        Assert.Equal(ManagerLost, await node.WaitForExitAsync(NodeStart));
        Output?.WriteLine($"Link cut → node exited by itself in {clock.Elapsed.TotalMilliseconds:0} ms");
    }
}
