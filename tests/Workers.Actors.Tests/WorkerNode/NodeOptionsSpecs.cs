using Workers.WorkerNode;

namespace Workers.Actors.Tests.WorkerNode;

public sealed class NodeOptionsSpecs
{
    private const string Manager = "akka.tcp://app@127.0.0.1:4053/user/job-manager-test";

    [Fact]
    public void Should_read_every_argument()
    {
        var options = NodeOptions.Parse([
            "--manager", Manager, "--worker-id", "worker-2", "--plugins", "a.dll", "b.dll",
            "--hostname", "0.0.0.0", "--port", "4100", "--token-file", "/run/token", "--register-timeout", "2.5", "--watch-stdin",
            "--jit-profile", "/var/cache/workers", "--public-hostname", "gpu-box.example.com",
        ]);

        Assert.Equal(Manager, options.ManagerPath);
        Assert.Equal("worker-2", options.WorkerId);
        Assert.Equal<string>(["a.dll", "b.dll"], options.PluginAssemblies);
        Assert.Equal(("0.0.0.0", 4100, "/run/token"), (options.Hostname, options.Port, options.TokenFile));
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.RegisterTimeout);
        Assert.True(options.WatchStdin);
        Assert.Equal("/var/cache/workers", options.JitProfile);
        Assert.Equal("gpu-box.example.com", options.PublicHostname);
    }

    [Fact]
    public void Should_refuse_a_blank_public_hostname()
    {
        var error = Assert.Throws<UsageException>(() => NodeOptions.Parse(
            ["--manager", Manager, "--worker-id", "w", "--plugins", "a.dll", "--public-hostname", " "]));

        Assert.StartsWith("--public-hostname needs an address", error.Message);
    }

    [Fact]
    public void Should_default_the_optional_arguments()
    {
        var options = NodeOptions.Parse(["--manager", "akka://app/user/m", "--worker-id", "worker-1", "--plugins", "a.dll"]);

        Assert.Equal(("127.0.0.1", 0, (string?)null, false), (options.Hostname, options.Port, options.TokenFile, options.WatchStdin));
        Assert.Equal(TimeSpan.FromSeconds(15), options.RegisterTimeout);
        Assert.Null(options.JitProfile);
        Assert.Null(options.PublicHostname); // Akka then gives the manager --hostname
    }

    [Theory]
    [InlineData("--worker-id w --plugins a.dll", "--manager is required.")]
    [InlineData("--manager http://x --worker-id w --plugins a.dll", "--manager must be an actor path such as akka.tcp://app@127.0.0.1:4053/user/job-manager-x, got \"http://x\".")]
    [InlineData("--manager akka://app/user/m --plugins a.dll", "--worker-id is required.")]
    [InlineData("--manager akka://app/user/m --worker-id w", "--plugins needs at least one plugin assembly.")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins", "--plugins needs at least one plugin assembly.")]
    [InlineData("--manager --worker-id w --plugins a.dll", "--manager needs a value.")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --port", "--port needs a value.")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --public-hostname", "--public-hostname needs a value.")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --port http", "--port must be a number from 0 to 65535, got \"http\".")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --port 65536", "--port must be a number from 0 to 65535, got \"65536\".")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --port -1", "--port must be a number from 0 to 65535, got \"-1\".")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --register-timeout 0", "--register-timeout must be a positive number of seconds, got \"0\".")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --register-timeout soon", "--register-timeout must be a positive number of seconds, got \"soon\".")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --jit-profile", "--jit-profile needs a value.")]
    [InlineData("--manager akka://app/user/m --worker-id w --plugins a.dll --verbose", "Unknown argument \"--verbose\".")]
    [InlineData("--manager akka://app/user/m extra --worker-id w --plugins a.dll", "Unknown argument \"extra\".")]
    public void Should_refuse_bad_arguments_with_a_message(string commandLine, string message)
    {
        var error = Assert.Throws<UsageException>(() => NodeOptions.Parse(commandLine.Split(' ')));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Should_take_a_manager_on_the_direct_transport()
    {
        var options = NodeOptions.Parse(["--manager", "akka.direct://app@127.0.0.1:4054/user/job-manager-test", "--worker-id", "worker-1", "--plugins", "a.dll"]);

        Assert.True(options.Direct);
        Assert.False(NodeOptions.Parse(["--manager", Manager, "--worker-id", "worker-1", "--plugins", "a.dll"]).Direct);
    }

    [Theory]
    [InlineData("--public-hostname gpu-box", "--public-hostname is for nodes on other hosts; an akka.direct:// manager is on this one.")]
    [InlineData("--tls-cert node.pfx", "--tls-cert needs a TLS manager address (akka.ssl.tcp://...).")]
    public void Should_refuse_what_only_a_node_on_another_host_needs_with_a_direct_manager(string option, string message)
    {
        var error = Assert.Throws<UsageException>(() => NodeOptions.Parse(
            ["--manager", "akka.direct://app@127.0.0.1:4054/user/m", "--worker-id", "w", "--plugins", "a.dll", .. option.Split(' ')]));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Should_refuse_an_empty_worker_id()
    {
        var error = Assert.Throws<UsageException>(() => NodeOptions.Parse(["--manager", "akka://app/user/m", "--worker-id", " ", "--plugins", "a.dll"]));

        Assert.Equal("--worker-id is required.", error.Message);
    }

    [Fact]
    public void Should_read_the_tls_options()
    {
        var options = NodeOptions.Parse([
            "--manager", "akka.ssl.tcp://app@10.0.0.1:4053/user/job-manager-test", "--worker-id", "gpu-1", "--plugins", "a.dll",
            "--tls-cert", "/etc/workers/node.pfx", "--tls-password-file", "/etc/workers/node.pass", "--tls-suppress-validation",
        ]);

        Assert.Equal(("/etc/workers/node.pfx", "/etc/workers/node.pass", true), (options.TlsCertificate, options.TlsPasswordFile, options.TlsSuppressValidation));
    }

    [Theory]
    [InlineData("akka.ssl.tcp://app@10.0.0.1:4053/user/m", "", "--manager is a TLS address (akka.ssl.tcp://): give the node a certificate with --tls-cert.")]
    [InlineData("akka.tcp://app@10.0.0.1:4053/user/m", "--tls-cert /n.pfx", "--tls-cert needs a TLS manager address (akka.ssl.tcp://...).")]
    public void Should_refuse_a_manager_address_and_tls_options_that_do_not_match(string manager, string tls, string message)
    {
        string[] arguments = ["--manager", manager, "--worker-id", "w", "--plugins", "a.dll", .. tls.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

        Assert.Equal(message, Assert.Throws<UsageException>(() => NodeOptions.Parse(arguments)).Message);
    }

    [Fact]
    public void Should_refuse_tls_options_without_a_certificate()
    {
        var error = Assert.Throws<UsageException>(() => NodeOptions.Parse(["--manager", Manager, "--worker-id", "w", "--plugins", "a.dll", "--tls-suppress-validation"]));

        Assert.Equal("--tls-password-file and --tls-suppress-validation need --tls-cert.", error.Message);
    }
}
