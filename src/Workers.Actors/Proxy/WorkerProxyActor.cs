using Akka;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Launching;

namespace Workers.Actors.Proxy;

/// <summary>
/// Owns one worker slot: starts its node, waits for it to register, hands it one job at a time and relays what
/// the node sends back to the manager. When the node is gone it throws a <see cref="WorkerException"/>, and the
/// manager's supervisor strategy decides what happens to the slot. Stopping or restarting the proxy kills its node.
/// </summary>
internal sealed class WorkerProxyActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _workerId;
    private readonly INodeLauncher _launcher;
    private readonly NodeLaunchRequest _request;
    private readonly WorkerConfig _config;
    private ILaunchedNode? _node;

    public WorkerProxyActor(string workerId, INodeLauncher launcher, NodeLaunchRequest request, WorkerConfig config)
    {
        _workerId = workerId;
        _launcher = launcher;
        _request = request;
        _config = config;
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string workerId, INodeLauncher launcher, NodeLaunchRequest request, WorkerConfig config) =>
        Akka.Actor.Props.Create(() => new WorkerProxyActor(workerId, launcher, request, config));

    private int? Pid => _node?.Pid;

    protected override void PreStart()
    {
        try
        {
            _node = _launcher.Launch(_request);
        }
        catch (Exception e)
        {
            Self.Tell(new LaunchFailed(e.Message));
            return;
        }
        var pid = _node.Pid;
        _node.Exited.PipeTo(Self, success: code => new NodeExited(pid, code));
        Timers.StartSingleTimer(WatchdogKey.Instance, StartTimedOut.Instance, _config.WorkerStartTimeout);
    }

    protected override void PostStop() => _node?.Kill();

    private void Starting()
    {
        Receive<RegisterWorker>(HandleRegistration);
        Receive<StopNode>(_ => BeginStop(node: null, then: null));
        Receive<LaunchFailed>(failed =>
            throw new WorkerStartFailedException(_workerId, null, $"worker node could not be started: {failed.Reason}"));
        Receive<StartTimedOut>(_ =>
        {
            _node?.Kill();
            throw new WorkerStartFailedException(_workerId, Pid, $"worker node did not register within {_config.WorkerStartTimeout}");
        });
        Receive<NodeExited>(IsCurrentNode, exited =>
        {
            var errors = _node?.RecentErrors is { Length: > 0 } text ? $": {text}" : "";
            throw new WorkerStartFailedException(_workerId, Pid, $"worker node exited with {ExitCodes.Describe(exited.Code)} before it registered{errors}");
        });
        IgnoreEarlierNodes();
    }

    /// <summary>
    /// A restarted proxy still hears about the node of its previous incarnation (its exit, its DeathWatch): that node
    /// is already dealt with, and must not be taken for the current one.
    /// </summary>
    private void IgnoreEarlierNodes()
    {
        Receive<Terminated>(_ => { });
        Receive<NodeExited>(_ => { });
    }

    private void HandleRegistration(RegisterWorker registration)
    {
        if (registration.Pid != Pid)
        {
            // A node from an earlier incarnation of this slot, or a stranger: never let it take the slot.
            _log.Warning("Worker [{0}] refused a registration from pid [{1}]; expected pid [{2}]", _workerId, registration.Pid, Pid);
            registration.Worker.Tell(new WorkerRegistrationRefused(_workerId, $"slot {_workerId} expects pid {Pid}"));
            return;
        }
        Context.Watch(registration.Worker);
        registration.Worker.Tell(new WorkerRegistered(_workerId, _config.HeartbeatInterval));
        ExpectHeartbeat();
        Context.Parent.Tell(new SlotReady(registration.Pid, registration.Plugins));
        Become(() => Idle(registration.Worker));
    }

    private void Idle(IActorRef node)
    {
        Receive<RunJob>(job =>
        {
            node.Tell(new ExecuteJob(job.JobId, job.PluginId, job.ParametersJson, job.Stream, job.ConfigJson, _config.ResultQueueSize));
            if (job.Timeout is { } timeout)
                Timers.StartSingleTimer(JobTimeoutKey.Instance, new JobTimedOut(job.JobId, timeout), timeout);
            Become(() => Busy(node, job.JobId));
        });
        Receive<CancelRunningJob>(_ => { }); // the job ended before the cancel arrived: nothing to kill
        Receive<RecycleNode>(recycle => BeginStop(node, then: recycle.Reason));
        Receive<StopNode>(_ => BeginStop(node, then: null));
        Receive<SlotPluginCommand>(command => node.Tell(command.Command, Sender));
        Receive<ChunksAck>(_ => { });
        Alive(node, jobId: null);
    }

    private void Busy(IActorRef node, string jobId)
    {
        Receive<NodeChunks>(chunks => Context.Parent.Tell(chunks));
        Receive<NodeProgress>(progress => Context.Parent.Tell(progress));
        Receive<ChunksAck>(ack => node.Tell(ack));
        Receive<NodeJobSucceeded>(done => Finish(node, done));
        Receive<NodeJobFailed>(failed => Finish(node, failed));
        Receive<CancelRunningJob>(cancel => cancel.JobId == jobId, _ =>
        {
            _log.Info("Worker [{0}] killing pid [{1}] to cancel job [{2}]", _workerId, Pid, jobId);
            KillAndAwaitExit(_ => new WorkerCancelledException(_workerId, Pid, jobId));
        });
        Receive<CancelRunningJob>(_ => { }); // aimed at another job: never kill this one
        Receive<JobTimedOut>(timedOut => timedOut.JobId == jobId, timedOut =>
        {
            _log.Warning("Worker [{0}] killing pid [{1}]: job [{2}] timed out after [{3}]", _workerId, Pid, jobId, timedOut.After);
            KillAndAwaitExit(_ => new WorkerUnresponsiveException(_workerId, Pid, jobId, $"job timed out after {timedOut.After:c}"));
        });
        Receive<StopNode>(_ => BeginStop(node, then: null));
        Receive<SlotPluginCommand>(command => node.Tell(command.Command, Sender));
        Alive(node, jobId);
    }

    private void Finish(IActorRef node, object outcome)
    {
        Timers.Cancel(JobTimeoutKey.Instance);
        Context.Parent.Tell(outcome);
        Become(() => Idle(node));
    }

    /// <summary>
    /// Kills the node and waits for its process to be gone before reporting, so that "cancelled" or "timed out"
    /// means the job's process no longer runs. Whatever the node still sends meanwhile is dropped: a late result can
    /// never change the job's outcome.
    /// </summary>
    private void KillAndAwaitExit(Func<int, WorkerException> outcome)
    {
        _node?.Kill();
        Timers.Cancel(WatchdogKey.Instance);
        Become(() =>
        {
            Receive<NodeExited>(IsCurrentNode, exited => throw outcome(exited.Code));
            Receive<StopNode>(_ => BeginStop(node: null, then: null));
            ReceiveAny(_ => { });
        });
    }

    /// <summary>
    /// Asks the node to exit and gives it <see cref="WorkerConfig.ShutdownTimeout"/> before killing it. Then either
    /// stops (shutdown: the sender hears <see cref="Done"/>) or, for a recycle, throws so the slot gets a fresh node.
    /// </summary>
    private void BeginStop(IActorRef? node, string? then)
    {
        var replyTo = Sender;
        Timers.CancelAll();
        if (_node is null)
        {
            replyTo.Tell(Done.Instance);
            Context.Stop(Self);
            return;
        }
        if (node is null)
            _node.Kill();
        else
            node.Tell(StopWorkerNode.Instance);
        Timers.StartSingleTimer(StopTimeoutKey.Instance, StopTimedOut.Instance, _config.ShutdownTimeout);
        Become(() =>
        {
            Receive<NodeExited>(IsCurrentNode, _ =>
            {
                if (then is not null)
                    throw new WorkerRecycledException(_workerId, Pid, then);
                replyTo.Tell(Done.Instance);
                Context.Stop(Self);
            });
            Receive<StopTimedOut>(_ =>
            {
                _log.Warning("Worker [{0}] pid [{1}] did not exit within [{2}]; killing it", _workerId, Pid, _config.ShutdownTimeout);
                _node.Kill();
            });
            ReceiveAny(_ => { });
        });
    }

    /// <summary>How a registered node is seen to be alive, and what happens when it is not.</summary>
    private void Alive(IActorRef node, string? jobId)
    {
        var during = jobId is null ? "" : " while running the job";
        // The node repeats its registration until the answer arrives: a repeat crossing our answer gets it again.
        Receive<RegisterWorker>(again => again.Worker.Equals(node), again =>
            again.Worker.Tell(new WorkerRegistered(_workerId, _config.HeartbeatInterval)));
        Receive<NodeHeartbeat>(heartbeat =>
        {
            ExpectHeartbeat();
            Context.Parent.Tell(heartbeat);
        });
        Receive<HeartbeatMissed>(_ =>
        {
            _log.Warning("Worker [{0}] pid [{1}] sent no heartbeat for [{2}]; killing it", _workerId, Pid, _config.HeartbeatTimeout);
            KillAndAwaitExit(_ => new WorkerUnresponsiveException(_workerId, Pid, jobId,
                $"worker node stopped answering (no heartbeat for {_config.HeartbeatTimeout.TotalSeconds:0.#} s){during}"));
        });
        Receive<NodeExited>(IsCurrentNode, exited =>
        {
            throw new WorkerCrashedException(_workerId, Pid, jobId, $"worker process exited with {ExitCodes.Describe(exited.Code)}{during}");
        });
        Receive<Terminated>(t => t.ActorRef.Equals(node), _ =>
        {
            // DeathWatch lost the node. Usually its process has just died and DeathWatch beat Process.Exited: give the
            // exit a moment to arrive, so the reason carries its code. A process still alive after that is unreachable
            // (hung, cut off): kill it.
            Timers.Cancel(WatchdogKey.Instance);
            Timers.StartSingleTimer(WatchdogKey.Instance, ExitGraceOver.Instance, ExitGrace);
            Become(() =>
            {
                Receive<NodeExited>(IsCurrentNode, exited =>
                {
                    throw new WorkerCrashedException(_workerId, Pid, jobId, $"worker process exited with {ExitCodes.Describe(exited.Code)}{during}");
                });
                Receive<ExitGraceOver>(_ => KillAndAwaitExit(_ => new WorkerCrashedException(_workerId, Pid, jobId, $"worker node stopped answering{during}")));
                Receive<StopNode>(_ => BeginStop(node: null, then: null));
                ReceiveAny(_ => { });
            });
        });
        IgnoreEarlierNodes();
    }

    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(1);

    private void ExpectHeartbeat() =>
        Timers.StartSingleTimer(WatchdogKey.Instance, HeartbeatMissed.Instance, _config.HeartbeatTimeout);

    private bool IsCurrentNode(NodeExited exited) => exited.Pid == Pid;

    // Carries the pid so that the exit of a node from an earlier incarnation is not taken for the current one's.
    private sealed record NodeExited(int Pid, int Code);

    private sealed record LaunchFailed(string Reason);

    private sealed record JobTimedOut(string JobId, TimeSpan After) : IDeadLetterSuppression;

    private sealed class StartTimedOut : IDeadLetterSuppression
    {
        public static readonly StartTimedOut Instance = new();
    }

    private sealed class ExitGraceOver : IDeadLetterSuppression
    {
        public static readonly ExitGraceOver Instance = new();
    }

    private sealed class HeartbeatMissed : IDeadLetterSuppression
    {
        public static readonly HeartbeatMissed Instance = new();
    }

    private sealed class StopTimedOut : IDeadLetterSuppression
    {
        public static readonly StopTimedOut Instance = new();
    }

    /// <summary>One watchdog per node: first the start timeout, then the heartbeat timeout.</summary>
    private sealed class WatchdogKey
    {
        public static readonly WatchdogKey Instance = new();
    }

    private sealed class JobTimeoutKey
    {
        public static readonly JobTimeoutKey Instance = new();
    }

    private sealed class StopTimeoutKey
    {
        public static readonly StopTimeoutKey Instance = new();
    }
}
