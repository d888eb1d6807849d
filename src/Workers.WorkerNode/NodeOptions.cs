using System.Collections.Immutable;
using Workers.Actors;

namespace Workers.WorkerNode;

/// <summary>The node's command line. <see cref="Parse"/> throws <see cref="UsageException"/> with a message for the user.</summary>
internal sealed record NodeOptions(
    string ManagerPath,
    string WorkerId,
    ImmutableArray<string> PluginAssemblies,
    string Hostname,
    int Port,
    bool WatchStdin,
    string? TokenFile,
    TimeSpan RegisterTimeout,
    string? TlsCertificate = null,
    string? TlsPasswordFile = null,
    bool TlsSuppressValidation = false,
    string? JitProfile = null,
    string? PublicHostname = null)
{
    public const string Usage = """
        Usage: Workers.WorkerNode --manager <actor path> --worker-id <id> --plugins <assembly.dll>... [options]

          --manager <path>         the manager actor to register with, e.g.
                                   akka.tcp://app@127.0.0.1:4053/user/job-manager-transcription
                                   (akka.ssl.tcp://... when the manager uses TLS; akka.direct://... from a
                                   manager that starts the node on its own host: Workers' loopback transport)
          --worker-id <id>         the slot this node serves (worker-1, ...)
          --plugins <path>...      plugin assemblies to load (one or more)
          --hostname <address>     address to listen on (default 127.0.0.1)
          --port <port>            port to listen on (default 0: any free port)
          --public-hostname <name> the address the manager connects back to, when it is not --hostname: the host's
                                   name or address behind NAT or in a container, or with --hostname 0.0.0.0
          --token-file <path>      file holding the token the manager expects
          --register-timeout <s>   seconds to wait for the manager to answer (default 15)
          --watch-stdin            exit when standard input closes (used by a manager that spawns the node)
          --tls-cert <pfx>         use TLS with this certificate (PKCS#12 with its private key); the manager must use TLS too
          --tls-password-file <path>  file holding the certificate's password
          --tls-suppress-validation   accept any manager certificate (self-signed ones not installed as trusted)
          --jit-profile <dir|off>  where the profile of earlier starts is kept, which lets a second core compile the
                                   start ahead (default: $WORKERS_NODE_JIT_PROFILE, else workers-node-jit-<user>
                                   in the temporary directory); off: none

        Exit codes: 0 asked to stop, 2 bad arguments, 3 manager unreachable, 4 plugin assembly not loadable,
        5 registration refused, 6 manager lost, 7 token refused.
        """;

    public static NodeOptions Parse(IReadOnlyList<string> args)
    {
        string? manager = null, workerId = null, tokenFile = null, tlsCertificate = null, tlsPasswordFile = null, jitProfile = null, publicHostname = null;
        var tlsSuppressValidation = false;
        string hostname = "127.0.0.1";
        int port = 0;
        var registerTimeout = TimeSpan.FromSeconds(15);
        var watchStdin = false;
        var plugins = ImmutableArray.CreateBuilder<string>();

        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manager": manager = Value(args, ref i); break;
                case "--worker-id": workerId = Value(args, ref i); break;
                case "--hostname": hostname = Value(args, ref i); break;
                case "--public-hostname": publicHostname = Value(args, ref i); break;
                case "--token-file": tokenFile = Value(args, ref i); break;
                case "--watch-stdin": watchStdin = true; break;
                case "--tls-cert": tlsCertificate = Value(args, ref i); break;
                case "--tls-password-file": tlsPasswordFile = Value(args, ref i); break;
                case "--tls-suppress-validation": tlsSuppressValidation = true; break;
                case "--jit-profile": jitProfile = Value(args, ref i); break;
                case "--port":
                    var portText = Value(args, ref i);
                    if (!int.TryParse(portText, out port) || port is < 0 or > 65535)
                        throw new UsageException($"--port must be a number from 0 to 65535, got \"{portText}\".");
                    break;
                case "--register-timeout":
                    var secondsText = Value(args, ref i);
                    if (!double.TryParse(secondsText, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                        throw new UsageException($"--register-timeout must be a positive number of seconds, got \"{secondsText}\".");
                    registerTimeout = TimeSpan.FromSeconds(seconds);
                    break;
                case "--plugins":
                    while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        plugins.Add(args[++i]);
                    break;
                default:
                    throw new UsageException($"Unknown argument \"{args[i]}\".");
            }
        }

        if (manager is null)
            throw new UsageException("--manager is required.");
        if (!manager.StartsWith("akka.tcp://", StringComparison.Ordinal) && !manager.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal)
            && !manager.StartsWith("akka://", StringComparison.Ordinal) && !IsDirect(manager))
            throw new UsageException($"--manager must be an actor path such as akka.tcp://app@127.0.0.1:4053/user/job-manager-x, got \"{manager}\".");
        if (string.IsNullOrWhiteSpace(workerId))
            throw new UsageException("--worker-id is required.");
        if (plugins.Count == 0)
            throw new UsageException("--plugins needs at least one plugin assembly.");
        if (publicHostname is not null && string.IsNullOrWhiteSpace(publicHostname))
            throw new UsageException("--public-hostname needs an address the manager can reach, such as gpu-box.example.com or 10.0.0.7.");
        if (manager.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal) != (tlsCertificate is not null))
            throw new UsageException(tlsCertificate is null
                ? "--manager is a TLS address (akka.ssl.tcp://): give the node a certificate with --tls-cert."
                : "--tls-cert needs a TLS manager address (akka.ssl.tcp://...).");
        if (IsDirect(manager) && publicHostname is not null)
            throw new UsageException("--public-hostname is for nodes on other hosts; an akka.direct:// manager is on this one.");
        if (tlsCertificate is null && (tlsPasswordFile is not null || tlsSuppressValidation))
            throw new UsageException("--tls-password-file and --tls-suppress-validation need --tls-cert.");
        return new NodeOptions(manager, workerId, plugins.ToImmutable(), hostname, port, watchStdin, tokenFile, registerTimeout,
            tlsCertificate, tlsPasswordFile, tlsSuppressValidation, jitProfile, publicHostname);
    }

    /// <summary>Whether the manager is reached over Workers' direct transport (it started this node on its own host).</summary>
    public bool Direct => IsDirect(ManagerPath);

    private static bool IsDirect(string manager) => manager.StartsWith(DirectTcpTransport.Protocol + "://", StringComparison.Ordinal);

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
            ? args[++i]
            : throw new UsageException($"{args[i]} needs a value.");
}

internal sealed class UsageException(string message) : Exception(message);
