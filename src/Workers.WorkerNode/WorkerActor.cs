using Akka.Actor;
using Akka.Event;
using Workers.Actors;

namespace Workers.WorkerNode;

/// <summary>
/// The node's actor: registers with the manager (connect-back), then hands jobs and plugin commands to its
/// <see cref="JobLoop"/>, which runs them one at a time. Those that arrive while a job runs wait behind it, in order
/// (the manager sends jobs ahead, see <see cref="WorkerConfig.PipelineDepth"/>); a waiting job can be dropped with
/// <see cref="CancelQueuedJob"/>. A node warms up its job path as soon as it registers
/// (<see cref="JobLoop.TryWarmUp"/>). The node ends when its manager is gone.
/// </summary>
/// <remarks>
/// An <see cref="UntypedActor"/> with one method per state (registering, registered), switched with <c>Context.Become</c>.
/// Jobs do not switch states: the loop runs them back to back, and this actor stays free for heartbeats, cancels and
/// chunk acknowledgements while one runs.
/// </remarks>
internal sealed class WorkerActor : UntypedActor, IWithTimers
{
    private static readonly TimeSpan FirstRegisterRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRegisterRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after registering the node starts watching its manager. The watch is the node's first system message to
    /// the manager's system, and Akka serializes that with a type name that it shortens through a compiled regular
    /// expression: 16–31 ms of CPU on the link's writer the first time (sampled with EventPipe). Sent at once, that
    /// competed with the warm-up that a fresh node's first job waits behind. The warm-up ended 52 ms after registering,
    /// against 33 ms with the watch a second later (medians of 24 starts each, docs/benchmarks.md, the eleventh round).
    /// A manager lost in that second is still noticed. A spawned node's stdin closes. A watch sent to an actor that is
    /// already gone ends in <see cref="Terminated"/> all the same.
    /// </summary>
    private static readonly TimeSpan WatchDelay = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeOptions _options;
    private readonly PluginHost _plugins;
    private readonly string? _token;
    private readonly TaskCompletionSource<int> _exit;
    private readonly TaskCompletionSource? _registered;
    private readonly CancellationTokenSource _stopping = new();
    private Address? _session;
    private TimeSpan _registerRetry = FirstRegisterRetry;
    private readonly long _maxMessageBytes = WireLimits.FrameBytes(Context.System.Settings.Config);
    private IActorRef _manager = ActorRefs.Nobody;

    public WorkerActor(NodeOptions options, PluginHost plugins, string? token, TaskCompletionSource<int> exit, TaskCompletionSource? registered = null)
    {
        _options = options;
        _plugins = plugins;
        _token = token;
        _exit = exit;
        _registered = registered;
        Context.Become(Registering);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="exit">completed with the node's exit code when it is to exit</param>
    /// <param name="registered">completed once the manager has accepted the node</param>
    public static Props Props(NodeOptions options, PluginHost plugins, string? token, TaskCompletionSource<int> exit, TaskCompletionSource? registered = null) =>
        Akka.Actor.Props.Create(() => new WorkerActor(options, plugins, token, exit, registered));

    protected override void PreStart()
    {
        StartupTrace.Mark("registering");
        SendRegistration();
        Timers.StartSingleTimer(RetryKey.Instance, RetryRegistration.Instance, _registerRetry);
        Timers.StartSingleTimer(TimeoutKey.Instance, RegistrationTimedOut.Instance, _options.RegisterTimeout);
    }

    protected override void PostStop() => _stopping.Cancel();

    /// <summary>
    /// Once registered, commands are taken only from the manager session that accepted the node (the ActorSystem that
    /// answered the registration); anything else that reaches the node's port is dropped and logged. This keeps strays
    /// and other managers out, not attackers: a peer that can reach the port could claim any sender, which is what the
    /// firewall and TLS are for.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (_session is { } session
            && message is ExecuteJob or ExecuteJobs or ChunksAck or CancelQueuedJob or NodeReloadPlugin or NodeUnloadPlugin or StopWorkerNode or WorkerRegistered or WorkerRegistrationRefused
            && !Sender.Path.Address.Equals(session))
        {
            _log.Warning("Dropped [{0}] from [{1}]: this node takes commands only from its manager at [{2}]", message.GetType().Name, Sender.Path, session);
            return true;
        }
        return base.AroundReceive(receive, message);
    }

    // Every message is handled by the current state (Context.Become); this is never the behaviour.
    protected override void OnReceive(object message) => Unhandled(message);

    private bool Registering(object message)
    {
        switch (message)
        {
            case RetryRegistration:
                // Backoff while the manager is unreachable (not started yet, restarting, network down), until RegisterTimeout.
                SendRegistration();
                _registerRetry = TimeSpan.FromTicks(Math.Min(_registerRetry.Ticks * 2, LongestRegisterRetry.Ticks));
                _log.Warning("No answer yet from the manager at [{0}]; registering again in [{1:0.#}] s", _options.ManagerPath, _registerRetry.TotalSeconds);
                Timers.StartSingleTimer(RetryKey.Instance, RetryRegistration.Instance, _registerRetry);
                return true;
            case RegistrationTimedOut:
                Exit(ExitCode.ManagerUnreachable,
                    $"The manager at {_options.ManagerPath} did not answer within {_options.RegisterTimeout.TotalSeconds:0.#} s. Is it running, and is the address right?");
                return true;
            case WorkerRegistrationRefused { TokenRejected: true } refused:
                Exit(ExitCode.TokenRefused, $"The manager refused this node's token: {refused.Reason}");
                return true;
            case WorkerRegistrationRefused refused:
                Exit(ExitCode.RegistrationRefused, $"The manager refused this node: {refused.Reason}");
                return true;
            case WorkerRegistered registered:
                Timers.CancelAll();
                StartupTrace.Mark("registered");
                StartupTrace.Report();
                _registered?.TrySetResult();
                Timers.StartPeriodicTimer(HeartbeatKey.Instance, SendHeartbeat.Instance, registered.HeartbeatInterval);
                Timers.StartSingleTimer(WatchKey.Instance, WatchManager.Instance, WatchDelay);
                _session = Sender.Path.Address;
                _log.Info("Registered as [{0}] with [{1}]", _options.WorkerId, Sender.Path);
                _manager = Sender;
                // Results, chunks and batches of outcomes must fit the manager's frame as well as this node's.
                var jobs = new JobLoop(_plugins, Sender, Self, _options.WorkerId, WireLimits.Agreed(_maxMessageBytes, registered.MaxFrameBytes), _stopping.Token);
                // At once, not once the node has idled: a job that comes meanwhile waits for the warm-up, but would have
                // done the same set-up itself (in four alternating pairs of full runs, a fresh spare's first job took
                // 15–16 ms instead of 18–45 ms; the first job of a node started for it was no slower). The loop is new:
                // nothing runs in it yet.
                jobs.TryWarmUp();
                Context.Become(message => Registered(message, jobs));
                return true;
            default:
                return false;
        }
    }

    private bool Registered(object message, JobLoop jobs)
    {
        switch (message)
        {
            case ExecuteJob job:
                jobs.Add(job);
                return true;
            case ExecuteJobs sentAhead:
                jobs.Add(sentAhead.Jobs);
                return true;
            case ChunksAck ack:
                // An acknowledgement that crossed its job's end has nothing left to release.
                if (jobs.Running is { } running && running.JobId == ack.JobId)
                    running.Credits.Release(ack.Count);
                return true;
            case CancelQueuedJob cancel:
                CancelQueued(cancel, jobs);
                return true;
            case NodeReloadPlugin reload:
                jobs.Add(new PluginCommand(reload.CorrelationId, reload.PluginName,
                    (plugins, stopping) => plugins.ReloadAsync(reload.PluginName, reload.ConfigJson, stopping), Sender));
                return true;
            case NodeLoadPlugin load:
                jobs.Add(new PluginCommand(load.CorrelationId, load.PluginName,
                    (plugins, stopping) => plugins.EnsureLoadedAsync(load.PluginName, load.ConfigJson, stopping), Sender));
                return true;
            case NodeUnloadPlugin unload:
                jobs.Add(new PluginCommand(unload.CorrelationId, unload.PluginName, (plugins, _) => plugins.UnloadAsync(unload.PluginName), Sender));
                return true;
            default:
                return Common(message);
        }
    }

    /// <summary>Drops the job if it still waits; a job already started is the proxy's to kill (it hears Removed = false).</summary>
    private void CancelQueued(CancelQueuedJob cancel, JobLoop jobs)
    {
        var removed = jobs.TryDrop(cancel.JobId);
        if (!removed && jobs.Running?.JobId != cancel.JobId)
            _log.Debug("Cancel of job [{0}], which this node is not holding", cancel.JobId);
        // After the outcomes still waiting: "not removed" about a job that has ended must reach the proxy after its end.
        jobs.Outbox.Send(new QueuedJobCancelled(cancel.JobId, removed));
    }

    private bool Common(object message)
    {
        var manager = _manager;
        switch (message)
        {
            case SendHeartbeat:
                manager.Tell(Heartbeat());
                return true;
            case WatchManager:
                Context.Watch(manager);
                return true;
            case WorkerRegistered:
                return true; // the answer to a repeated registration
            case StopWorkerNode:
                Exit(ExitCode.Ok, null);
                return true;
            case Terminated t when t.ActorRef.Equals(manager):
                Exit(ExitCode.ManagerLost, $"Lost the manager at {manager.Path}; exiting so that no orphan keeps resources.");
                return true;
            default:
                return false;
        }
    }

    private static NodeHeartbeat Heartbeat() => new(NodeMemory.WorkingSetBytes());

    private void SendRegistration() =>
        Context.ActorSelection(_options.ManagerPath).Tell(
            new RegisterWorker(_options.WorkerId, Self, Environment.ProcessId, _plugins.Names, _token, _maxMessageBytes));

    private void Exit(int code, string? message)
    {
        if (message is not null)
            Console.Error.WriteLine($"Workers.WorkerNode [{_options.WorkerId}]: {message}");
        StartupTrace.Report();
        _exit.TrySetResult(code);
        Context.Stop(Self);
    }

    private sealed class RetryRegistration : IDeadLetterSuppression
    {
        public static readonly RetryRegistration Instance = new();
    }

    private sealed class RegistrationTimedOut
    {
        public static readonly RegistrationTimedOut Instance = new();
    }

    private sealed class SendHeartbeat : IDeadLetterSuppression
    {
        public static readonly SendHeartbeat Instance = new();
    }

    private sealed class WatchManager : IDeadLetterSuppression
    {
        public static readonly WatchManager Instance = new();
    }

    private sealed class WatchKey
    {
        public static readonly WatchKey Instance = new();
    }

    private sealed class HeartbeatKey
    {
        public static readonly HeartbeatKey Instance = new();
    }

    private sealed class RetryKey
    {
        public static readonly RetryKey Instance = new();
    }

    private sealed class TimeoutKey
    {
        public static readonly TimeoutKey Instance = new();
    }
}
