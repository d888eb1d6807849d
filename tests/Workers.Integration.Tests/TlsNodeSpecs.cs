using Akka.Actor;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>The certificate, token and folder of the TLS specs: made before the manager's ActorSystem, which needs them.</summary>
public sealed class TlsFiles : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("workers-tls-");

    public TlsFiles()
    {
        (Certificate, PasswordFile) = TestCertificate.Create(_folder.FullName, "workers-test");
        TrustedPem = Path.ChangeExtension(Certificate, ".pem");
        OtherPem = Path.ChangeExtension(TestCertificate.Create(_folder.FullName, "workers-other").PfxPath, ".pem");
        TokenFile = Path.Combine(_folder.FullName, "token");
        File.WriteAllText(TokenFile, "tls-specs-token");
    }

    public string Certificate { get; }
    public string PasswordFile { get; }
    public string TokenFile { get; }

    /// <summary>The public part of <see cref="Certificate"/>, for a node that is to trust it.</summary>
    public string TrustedPem { get; }

    /// <summary>Another self-signed certificate's public part: a node trusting only it trusts no manager here.</summary>
    public string OtherPem { get; }

    public void Dispose() => _folder.Delete(recursive: true);
}

/// <summary>
/// A manager whose Akka.Remote links use TLS (a self-signed certificate made by the test): an external node given the
/// certificate registers and runs jobs; a node without TLS cannot even reach it.
/// </summary>
public sealed class TlsNodeSpecs(TlsFiles files, ITestOutputHelper output)
    : WorkersSpec(WorkersConfiguration.ManagerOn(new WorkersRemoting
    {
        Tls = new WorkersTls { CertificatePath = files.Certificate, PasswordFile = files.PasswordFile, SuppressValidation = true },
    }), "tls-node-specs", output), IClassFixture<TlsFiles>
{
    private const int ManagerUnreachable = 3;

    private JobManagerOptions ExternalOnly() => new()
    {
        WorkerType = "tls",
        PluginAssemblies = [SamplesAssembly],
        SpawnNodes = false,
        NodeTokenFile = files.TokenFile,
    };

    [Fact]
    public async Task Should_register_a_node_and_run_its_jobs_over_tls()
    {
        Assert.True(Sys.Settings.Config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        var manager = await StartManagerAsync(ExternalOnly());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        await using var node = ExternalNode.Start(Nodes, Output, [],
            "--manager", AddressOf(manager), "--worker-id", "tls-1", "--token-file", files.TokenFile, "--plugins", ExternalNode.Samples,
            "--tls-cert", files.Certificate, "--tls-password-file", files.PasswordFile, "--tls-suppress-validation");
        await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "tls-1", NodeStart);
        var (started, metadata) = await RunEchoAsync(client, subscriber, manager, "encrypted");

        Assert.Equal(node.Pid, started.WorkerPid);
        Assert.Equal(node.Pid, metadata.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Should_run_jobs_on_the_nodes_it_starts_itself_beside_its_tls_nodes()
    {
        // The nodes a manager starts on its own host reach it over the direct transport (loopback, no certificate
        // needed); an akka.ssl.tcp path would have needed --tls-cert, which a manager cannot hand its nodes.
        var manager = await StartManagerAsync(ExternalOnly() with { SpawnNodes = true });
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var (started, metadata) = await RunEchoAsync(client, subscriber, manager, "spawned beside TLS");

        Assert.Equal("worker-1", started.WorkerId);
        Assert.Equal(started.WorkerPid, metadata.GetProperty("pid").GetInt32());
    }

    [OpenSslFact]
    public async Task Should_register_a_node_that_checks_the_manager_certificate_against_the_certificates_it_trusts()
    {
        var manager = await StartManagerAsync(ExternalOnly());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // No --tls-suppress-validation: the node accepts the manager only if its certificate chains to one it trusts
        // (Akka does not check the name in it by default). It trusts exactly the test's certificate.
        await using var node = ExternalNode.Start(Nodes, Output, ["env", $"SSL_CERT_FILE={files.TrustedPem}"],
            "--manager", AddressOf(manager), "--worker-id", "tls-checked", "--token-file", files.TokenFile, "--plugins", ExternalNode.Samples,
            "--tls-cert", files.Certificate, "--tls-password-file", files.PasswordFile);
        await subscriber.FishForMessageAsync<WorkerStarted>(e => e.WorkerId == "tls-checked", NodeStart);
        var (started, _) = await RunEchoAsync(client, subscriber, manager, "checked");

        Assert.Equal(node.Pid, started.WorkerPid);
    }

    [OpenSslFact]
    public async Task Should_end_a_node_that_does_not_trust_the_manager_certificate_as_unable_to_reach_it()
    {
        var manager = await StartManagerAsync(ExternalOnly());

        // The node trusts another certificate only: the handshake fails, Akka.Remote stops the node's ActorSystem
        // (CoordinatedShutdown), and the node exits as unable to reach its manager, saying why, rather than living on
        // with no system (it used to, for ever).
        await using var node = ExternalNode.Start(Nodes, Output, ["env", $"SSL_CERT_FILE={files.OtherPem}"],
            "--manager", AddressOf(manager), "--worker-id", "tls-distrust", "--token-file", files.TokenFile, "--plugins", ExternalNode.Samples,
            "--tls-cert", files.Certificate, "--tls-password-file", files.PasswordFile, "--register-timeout", "60");

        Assert.Equal(ManagerUnreachable, await node.WaitForExitAsync(NodeStart));
        Assert.Contains("Akka.Remote stopped this node before it registered", node.Output);
        var client = CreateTestProbe("client");
        client.Send(manager, GetWorkers.Instance);
        Assert.Empty((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers);
    }

    [Fact]
    public async Task Should_not_let_a_node_without_tls_reach_a_tls_manager()
    {
        var manager = await StartManagerAsync(ExternalOnly());

        // The operator forgot TLS: the same manager, reached in plain TCP.
        var plainAddress = AddressOf(manager).Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal);
        await using var node = ExternalNode.Start(Nodes, Output, [],
            "--manager", plainAddress, "--worker-id", "plain-1", "--token-file", files.TokenFile, "--plugins", ExternalNode.Samples,
            "--register-timeout", "3");

        Assert.Equal(ManagerUnreachable, await node.WaitForExitAsync(NodeStart));
        var client = CreateTestProbe("client");
        client.Send(manager, GetWorkers.Instance);
        Assert.Empty((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers);
    }
}
