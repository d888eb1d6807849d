using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Launching;
using Workers.Actors.Plugins;
using Workers.WorkerNode;

namespace Workers.Actors.Tests.Fakes;

/// <summary>
/// Starts worker nodes inside the test process: each node is a real <see cref="WorkerActor"/> with a real
/// <see cref="PluginHost"/> over the sample plugins, in an ActorSystem of its own created with
/// <see cref="WorkersConfiguration.WorkerNode"/> (remoting on 127.0.0.1, port 0).
/// </summary>
/// <remarks>
/// <para>
/// A separate ActorSystem, not the test's own: registration, jobs, chunks and results then really cross an
/// Akka.Remote link and go through the wire serializer, as they do with a node process. Only the OS process is
/// missing, so never run the <c>crash</c> or <c>busy</c> plugins on these nodes (crash would end the test host,
/// busy cannot be stopped).
/// </para>
/// <para>
/// Pids: <see cref="WorkerActor"/> registers with <see cref="Environment.ProcessId"/>, which is the test host's
/// and so the same for every in-process node, while the proxy refuses a registration whose pid is not its node's
/// and tells the incarnations of a slot apart by pid. Until the pid can be given to the node (an optional pid in
/// <see cref="NodeOptions"/> would do), each node registers through a relay actor in its own system that rewrites
/// the pid to the node's fake one (100000, 100001, ...) before passing the registration on. The sample plugins
/// still see the host's pid (<c>echo</c>'s <c>metadata.pid</c>), for the same reason.
/// </para>
/// </remarks>
internal sealed class InProcessNodeLauncher(Action<string>? log = null) : INodeLauncher, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<InProcessNode> _nodes = [];
    private ImmutableArray<PluginDescriptor> _catalog;

    /// <summary>Every node launched so far, in launch order.</summary>
    public IReadOnlyList<InProcessNode> Nodes
    {
        get
        {
            lock (_gate)
                return [.. _nodes];
        }
    }

    public ILaunchedNode Launch(NodeLaunchRequest request)
    {
        var node = new InProcessNode(FakePids.Next(), request.WorkerId, log);
        ImmutableArray<PluginDescriptor> catalog;
        lock (_gate)
        {
            _nodes.Add(node);
            if (_catalog.IsDefault)
                _catalog = PluginDiscovery.Discover(request.PluginAssemblies);
            catalog = _catalog;
        }
        // Like a process start: Launch returns at once, the node registers later.
        _ = Task.Run(() => node.Start(request, catalog));
        return node;
    }

    /// <summary>Ends every node still up (a test's manager normally ends its nodes itself).</summary>
    public void Dispose() => Task.WaitAll([.. Nodes.Select(node => node.StopAsync())], TimeSpan.FromSeconds(10));
}

/// <summary>One in-process node; see <see cref="InProcessNodeLauncher"/>.</summary>
internal sealed class InProcessNode(int pid, string workerId, Action<string>? log = null) : ILaunchedNode
{
    public const int KilledExitCode = 137; // 128 + SIGKILL, as for a killed process
    private static readonly TimeSpan LinkLossDelay = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _hurry = new();
    private ActorSystem? _system;
    private PluginHost? _plugins;
    private Task? _stopped;

    public int Pid { get; } = pid;
    public string WorkerId { get; } = workerId;
    public Task<int> Exited => _exited.Task;
    public string RecentErrors => "";

    public void Kill() => _ = End(KilledExitCode);

    /// <summary>Whether the node has <paramref name="plugin"/> loaded now (read from the test's thread: ask once the node is quiet).</summary>
    public bool HasLoaded(string plugin)
    {
        lock (_gate)
            return _plugins?.IsLoaded(plugin) ?? false;
    }

    /// <summary>
    /// The process "dies": <see cref="Exited"/> completes with <paramref name="exitCode"/> at once, while the node's
    /// ActorSystem is left up, as when a process exit is seen before remote DeathWatch notices anything; the proxy
    /// then kills the node, which ends its system.
    /// </summary>
    public void Crash(int exitCode = 134) => _exited.TrySetResult(exitCode);

    /// <summary>Ends the node at once, without the delay that lets the manager see the process exit first.</summary>
    public Task StopAsync()
    {
        _hurry.Cancel();
        return End(KilledExitCode);
    }

    internal void Start(NodeLaunchRequest request, ImmutableArray<PluginDescriptor> catalog)
    {
        try
        {
            var system = ActorSystem.Create("workers-node", WorkersConfiguration.WorkerNode);
            var plugins = new PluginHost(catalog);
            lock (_gate)
            {
                if (_stopped is not null)
                {
                    // Killed while starting: end what was just built.
                    _ = Terminate(system, plugins);
                    return;
                }
                _system = system;
                _plugins = plugins;
                if (log is not null)
                {
                    // The node's warnings and errors, which a node process would write to stderr.
                    var forwarder = system.ActorOf(Props.Create(() => new LogForwarder(Pid, log)), "test-log");
                    system.EventStream.Subscribe(forwarder, typeof(Warning));
                    system.EventStream.Subscribe(forwarder, typeof(Error));
                }
                var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
                var relay = system.ActorOf(Props.Create(() => new PidRelay(request.ManagerPath, Pid, () => Exited.IsCompleted)), "pid-relay");
                var options = new NodeOptions(relay.Path.ToStringWithAddress(address), request.WorkerId, request.PluginAssemblies,
                    "127.0.0.1", 0, WatchStdin: false, TokenFile: null, RegisterTimeout: TimeSpan.FromSeconds(15));
                // The node's own ways out (StopWorkerNode, refused registration, lost manager) end the "process" with that code.
                var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                exit.Task.ContinueWith(code => End(code.Result), TaskScheduler.Default);
                system.ActorOf(WorkerActor.Props(options, plugins, token: null, exit), "worker");
            }
        }
        catch (Exception e)
        {
            // As a node process that fails to start: it says why and exits.
            log?.Invoke($"[node {Pid}] failed to start: {e}");
            _ = End(1);
        }
    }

    private Task End(int exitCode)
    {
        lock (_gate)
        {
            _stopped ??= Stop(exitCode);
            return _stopped;
        }
    }

    private async Task Stop(int exitCode)
    {
        // A killed process is seen gone at once (Exited), while the manager's remote DeathWatch notices the lost
        // node only later (seconds, with hocon/manager.hocon's failure detector). Keeping that order matters: a
        // proxy must cope with a Terminated that comes after it has moved on. Ending the node's system sends that
        // Terminated, so it is ended a moment after Exited completes, never before.
        _exited.TrySetResult(exitCode);
        await Task.Delay(LinkLossDelay, _hurry.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        ActorSystem? system;
        PluginHost? plugins;
        lock (_gate)
        {
            system = _system;
            plugins = _plugins;
        }
        if (system is not null && plugins is not null)
            await Terminate(system, plugins).ConfigureAwait(false);
    }

    private static async Task Terminate(ActorSystem system, PluginHost plugins)
    {
        await system.Terminate().ConfigureAwait(false);
        await plugins.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class LogForwarder : ReceiveActor
    {
        public LogForwarder(int pid, Action<string> log) => Receive<LogEvent>(e => log($"[node {pid}] {e}"));
    }

    /// <summary>Passes registrations on to the manager with the node's fake pid (see <see cref="InProcessNodeLauncher"/>).</summary>
    private sealed class PidRelay : ReceiveActor
    {
        public PidRelay(string managerPath, int pid, Func<bool> exited)
        {
            // A node whose "process" has exited can say nothing more, even while its system is still going down.
            Receive<RegisterWorker>(registration =>
            {
                if (!exited())
                    Context.ActorSelection(managerPath).Tell(registration with { Pid = pid }, Sender);
            });
        }
    }
}

/// <summary>Unique fake pids, far above the real ones of a test machine's short-lived processes.</summary>
internal static class FakePids
{
    private static int _last = 99_999;

    public static int Next() => Interlocked.Increment(ref _last);
}
