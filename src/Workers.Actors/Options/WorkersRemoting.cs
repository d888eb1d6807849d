using Akka.Configuration;

namespace Workers.Actors;

/// <summary>
/// Where an ActorSystem of Workers listens for Akka.Remote connections, and whether the links use TLS. The defaults
/// (127.0.0.1, port 0, no TLS) suit a manager whose nodes all run on its own host. A manager that accepts nodes from
/// other hosts listens on an address they can reach, on a port the firewall lets through, with TLS.
/// </summary>
public sealed record WorkersRemoting
{
    /// <summary>The address to bind (default 127.0.0.1). "0.0.0.0" binds every interface; then set <see cref="PublicHostname"/>.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on (default 0: any free port, fine for spawned nodes; external nodes need a fixed one).</summary>
    public int Port { get; init; }

    /// <summary>
    /// The address other hosts use to reach this system, written into the actor paths they receive (default: <see cref="Hostname"/>).
    /// External nodes must be given a <c>--manager</c> path with this address.
    /// </summary>
    public string? PublicHostname { get; init; }

    /// <summary>TLS for every Akka.Remote link of this system (null, the default: plain TCP).</summary>
    public WorkersTls? Tls { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> or <see cref="ArgumentOutOfRangeException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Hostname))
            throw new ArgumentException("Hostname is required: an address to listen on, such as 127.0.0.1 or 0.0.0.0.", nameof(Hostname));
        if (Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be from 0 (any free port) to 65535.");
        if (PublicHostname is not null && string.IsNullOrWhiteSpace(PublicHostname))
            throw new ArgumentException("PublicHostname must be an address other hosts can reach, or null.", nameof(PublicHostname));
        Tls?.Validate();
    }

    /// <summary>
    /// The <c>akka.remote.dot-netty.tcp</c> settings these options stand for; put it in front of
    /// <see cref="WorkersConfiguration.Manager"/> (or use <see cref="WorkersConfiguration.ManagerOn"/>).
    /// </summary>
    public Config ToConfig()
    {
        Validate();
        var lines = new List<string>
        {
            $"hostname = {Quote(Hostname)}",
            $"port = {Port}",
        };
        if (PublicHostname is { } publicHostname)
            lines.Add($"public-hostname = {Quote(publicHostname)}");
        if (Tls is { } tls)
        {
            lines.Add("enable-ssl = true");
            lines.Add($"ssl.certificate.path = {Quote(Path.GetFullPath(tls.CertificatePath))}");
            lines.Add($"ssl.certificate.password = {Quote(tls.ResolvePassword())}");
            lines.Add($"ssl.suppress-validation = {(tls.SuppressValidation ? "true" : "false")}");
            lines.Add($"ssl.require-mutual-authentication = {(tls.RequireMutualAuthentication ? "true" : "false")}");
        }
        return ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp {{\n{string.Join("\n", lines)}\n}}");
    }

    // HOCON quoted string: a path or password may hold backslashes and quotes.
    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

/// <summary>
/// TLS with a certificate file (PKCS#12, .pfx) for Akka.Remote's DotNetty transport. Both ends present their
/// certificate (mutual TLS, Akka's default). A certificate that the OS does not trust (self-signed) needs its CA
/// installed in the trust store of every host, or <see cref="SuppressValidation"/>: then the link is encrypted but
/// any certificate is accepted, and only the node token keeps strangers out.
/// </summary>
public sealed record WorkersTls
{
    /// <summary>The .pfx file holding the certificate and its private key. Required.</summary>
    public string CertificatePath { get; init; } = "";

    /// <summary>The .pfx password (null: see <see cref="PasswordFile"/>, else none).</summary>
    public string? Password { get; init; }

    /// <summary>A file whose content (trimmed) is the .pfx password; an alternative to <see cref="Password"/> that keeps it out of configuration.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>Accept any peer certificate (default false). For self-signed certificates that are not installed as trusted.</summary>
    public bool SuppressValidation { get; init; }

    /// <summary>Both ends must present a certificate (default true, as Akka.Remote's own default).</summary>
    public bool RequireMutualAuthentication { get; init; } = true;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
            throw new ArgumentException("Tls.CertificatePath is required: a .pfx file with the certificate and its private key.", nameof(CertificatePath));
        if (!File.Exists(CertificatePath))
            throw new ArgumentException($"Tls.CertificatePath: no certificate file at {Path.GetFullPath(CertificatePath)}.", nameof(CertificatePath));
        if (Password is not null && PasswordFile is not null)
            throw new ArgumentException("Set Tls.Password or Tls.PasswordFile, not both.", nameof(PasswordFile));
        if (PasswordFile is not null && !File.Exists(PasswordFile))
            throw new ArgumentException($"Tls.PasswordFile: no file at {Path.GetFullPath(PasswordFile)}.", nameof(PasswordFile));
    }

    internal string ResolvePassword() => Password ?? (PasswordFile is { } file ? File.ReadAllText(file).Trim() : "");
}
