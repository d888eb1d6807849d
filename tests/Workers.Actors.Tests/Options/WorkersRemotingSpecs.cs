namespace Workers.Actors.Tests.Options;

public sealed class WorkersRemotingSpecs
{
    [Fact]
    public void Should_keep_the_loopback_defaults()
    {
        var config = new WorkersRemoting().ToConfig();

        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(0, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.False(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public void Should_listen_where_told_and_advertise_the_public_hostname()
    {
        var config = WorkersConfiguration.ManagerOn(new WorkersRemoting { Hostname = "0.0.0.0", Port = 4053, PublicHostname = "manager.example" });

        Assert.Equal("0.0.0.0", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal("manager.example", config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal("remote", config.GetString("akka.actor.provider")); // the rest of the manager configuration is kept
    }

    [Fact]
    public void Should_turn_on_tls_with_the_certificate_file_and_the_password_from_its_file()
    {
        var folder = Directory.CreateTempSubdirectory("workers-tls-");
        try
        {
            var certificate = Path.Combine(folder.FullName, "manager \"a\".pfx");
            var password = Path.Combine(folder.FullName, "password");
            File.WriteAllBytes(certificate, [1]);
            File.WriteAllText(password, "pa\\ss\n");

            var config = new WorkersRemoting { Tls = new WorkersTls { CertificatePath = certificate, PasswordFile = password, SuppressValidation = true } }.ToConfig();

            Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
            Assert.Equal(certificate, config.GetString("akka.remote.dot-netty.tcp.ssl.certificate.path"));
            Assert.Equal("pa\\ss", config.GetString("akka.remote.dot-netty.tcp.ssl.certificate.password"));
            Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.ssl.suppress-validation"));
            Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.ssl.require-mutual-authentication"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Should_refuse_settings_that_cannot_work()
    {
        Assert.Equal(nameof(WorkersRemoting.Port), Assert.Throws<ArgumentOutOfRangeException>(() => new WorkersRemoting { Port = 70000 }.Validate()).ParamName);
        Assert.Throws<ArgumentException>(() => new WorkersRemoting { Hostname = " " }.Validate());
        var missing = Path.Combine(Path.GetTempPath(), $"no-cert-{Guid.NewGuid():N}.pfx");
        var error = Assert.Throws<ArgumentException>(() => new WorkersRemoting { Tls = new WorkersTls { CertificatePath = missing } }.Validate());
        Assert.Contains(missing, error.Message);
    }
}
