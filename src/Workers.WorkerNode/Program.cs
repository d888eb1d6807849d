using Akka.Actor;
using Akka.Configuration;
using Workers.Actors;
using Workers.Actors.Plugins;
using Workers.WorkerNode;

// A worker node: loads plugins, registers with its manager over Akka.Remote, runs one job at a time, and exits
// when its manager is gone. Every failure to start is one line on stderr and a distinct exit code.

StartupTrace.Mark("main");
NodeOptions options;
try
{
    options = NodeOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"Workers.WorkerNode: {e.Message}");
    Console.Error.WriteLine(NodeOptions.Usage);
    return ExitCode.BadArguments;
}

JitProfile.Begin(JitProfile.Directory(options.JitProfile), options.PluginAssemblies, options.Direct ? "direct" : "dotnetty");
if (!options.Direct)
    SilenceDotNetty();

string? token = null;
if (options.TokenFile is { } tokenFile)
{
    try
    {
        token = File.ReadAllText(tokenFile).Trim();
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"Workers.WorkerNode: cannot read the token file {tokenFile}: {e.Message}");
        return ExitCode.BadArguments;
    }
}

// Listing the plugins (loading their assemblies) and starting Akka.Remote are independent: without a JIT profile, do
// them side by side. With one, list them after: a plugin assembly loaded amid the start would cut the profile short.
var discovery = JitProfile.Recording ? null : Task.Run(() => PluginDiscovery.Discover(options.PluginAssemblies));
ActorSystem system;
try
{
    system = ActorSystem.Create(ManagerSystemName(options.ManagerPath), RemotingConfig(options).WithFallback(WorkersConfiguration.WorkerNode));
}
catch (Exception e) when (e is ArgumentException or IOException or System.Security.Cryptography.CryptographicException
                          || e.GetBaseException() is System.Security.Cryptography.CryptographicException or System.Net.Sockets.SocketException)
{
    // A certificate that cannot be read or a port that cannot be bound: nothing a retry would fix.
    Console.Error.WriteLine($"Workers.WorkerNode: cannot start remoting on {options.Hostname}:{options.Port}: {e.GetBaseException().Message}");
    return ExitCode.BadArguments;
}
StartupTrace.Mark("remoting listening");
if (JitProfile.Recording)
    new Thread(JitProfile.Save) { IsBackground = true, Name = "jit-profile" }.Start(); // not a pool thread: the node's actors need those now

PluginHost plugins;
try
{
    plugins = new PluginHost(discovery is null ? PluginDiscovery.Discover(options.PluginAssemblies) : await discovery);
}
catch (PluginLoadException e)
{
    Console.Error.WriteLine($"Workers.WorkerNode: {e.Message}");
    await system.Terminate();
    return ExitCode.PluginLoadFailed;
}
StartupTrace.Mark("plugins listed");
var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
system.ActorOf(WorkerActor.Props(options, plugins, token, exit, registered), "worker");

// Akka.Remote stops the ActorSystem by itself on some failures: a TLS handshake in which this node rejects the
// manager's certificate is one (it runs CoordinatedShutdown). A node must not live on without its system, doing nothing.
_ = system.WhenTerminated.ContinueWith(_ =>
{
    var (code, when) = registered.Task.IsCompleted ? (ExitCode.ManagerLost, "after") : (ExitCode.ManagerUnreachable, "before");
    if (exit.TrySetResult(code))
        Console.Error.WriteLine($"Workers.WorkerNode [{options.WorkerId}]: Akka.Remote stopped this node {when} it registered; the log above says why. "
            + "If a TLS handshake failed: is the manager's certificate trusted on this host (or is --tls-suppress-validation meant)?");
}, TaskScheduler.Default);

if (options.WatchStdin)
{
    // A spawned node's stdin is a pipe from its manager's process: end of file means the manager is gone,
    // however it died (even SIGKILL), so the node never outlives it.
    _ = Task.Factory.StartNew(() =>
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        while (stdin.Read(buffer, 0, buffer.Length) > 0) { }
        Console.Error.WriteLine($"Workers.WorkerNode [{options.WorkerId}]: the manager closed stdin; exiting.");
        exit.TrySetResult(ExitCode.ManagerLost);
    }, TaskCreationOptions.LongRunning);
}
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    exit.TrySetResult(ExitCode.Ok);
};

var code = await exit.Task;
// A plugin stuck in native code must not keep the process alive: give the shutdown a bounded time.
await Task.WhenAny(Task.WhenAll(system.Terminate(), plugins.DisposeAsync().AsTask()), Task.Delay(TimeSpan.FromSeconds(3)));
return code;

// A node its manager started on the same host speaks Workers' direct transport only (the manager passed an
// akka.direct:// path); any other node speaks DotNetty, with TLS if asked.
static Config RemotingConfig(NodeOptions options)
{
    if (options.Direct)
    {
        return ConfigurationFactory.ParseString($$"""
            akka.remote.enabled-transports = ["{{DirectTcpTransport.ConfigPath}}"]
            {{DirectTcpTransport.ConfigPath}} { hostname = {{WorkersRemoting.Quote(options.Hostname)}}, port = {{options.Port}} }
            """);
    }
    var remoting = new WorkersRemoting
    {
        Hostname = options.Hostname,
        PublicHostname = options.PublicHostname,
        Port = options.Port,
        Tls = options.TlsCertificate is { } certificate
            ? new WorkersTls { CertificatePath = certificate, PasswordFile = options.TlsPasswordFile, SuppressValidation = options.TlsSuppressValidation }
            : null,
    };
    return remoting.ToConfig();
}

// DotNetty (Akka.Remote's default transport) logs only to an EventSource of its own, through a
// Microsoft.Extensions.Logging factory that it builds on first use: 5-7 ms of CPU (timed on its own, 2026-11-29; too
// little to show against the noise of whole node starts), for diagnostics no one reads from a node. Set before
// Akka.Remote loads DotNetty, as DotNetty asks; in a method of its own so that a node on the direct transport never
// loads DotNetty at all.
static void SilenceDotNetty() =>
    DotNetty.Common.Internal.Logging.InternalLoggerFactory.DefaultFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

// The node's ActorSystem takes the manager's system name; it has no meaning beyond the logs.
static string ManagerSystemName(string managerPath) =>
    ActorPath.TryParse(managerPath, out var path) && path.Address.System is { Length: > 0 } name ? $"{name}-node" : "workers-node";
