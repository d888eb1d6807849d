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
        Timers.StartSingleTimer(StartTimeoutKey.Instance, StartTimedOut.Instance, _config.WorkerStartTimeout);
    }

    protected override void PostStop() => _node?.Kill();

    private void Starting()
    {
        Receive<StopNode>(_ => BeginStop(node: null));
        Receive<RegisterWorker>(HandleRegistration);
        Receive<LaunchFailed>(failed =>
            throw new WorkerStartFailedException(_workerId, null, $"worker node could not be started: {failed.Reason}"));
        Receive<StartTimedOut>(_ =>
        {
            _node?.Kill();
            throw new WorkerStartFailedException(_workerId, Pid, $"worker node did not register within {_config.WorkerStartTimeout}");
        });
        Receive<NodeExited>(new Predicate<NodeExited>(exited => exited.Pid == Pid), exited =>
        {
            var errors = _node?.RecentErrors is { Length: > 0 } text ? $": {text}" : "";
            throw new WorkerStartFailedException(_workerId, Pid, $"worker node exited with {ExitCodes.Describe(exited.Code)} before it registered{errors}");
        });
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
        Timers.Cancel(StartTimeoutKey.Instance);
        Context.Watch(registration.Worker);
        registration.Worker.Tell(new WorkerRegistered(_workerId));
        Context.Parent.Tell(new SlotReady(registration.Pid, registration.Plugins));
        Become(() => Idle(registration.Worker));
    }

    private void Idle(IActorRef node)
    {
        Receive<RunJob>(job =>
        {
            node.Tell(new ExecuteJob(job.JobId, job.PluginId, job.ParametersJson, job.Stream, job.ConfigJson, _config.ResultQueueSize));
            Become(() => Busy(node, job.JobId));
        });
        Receive<CancelRunningJob>(_ => { }); // the job ended before the cancel arrived: nothing to kill
        Receive<SlotPluginCommand>(command => node.Tell(command.Command, Sender));
        Receive<ChunksAck>(_ => { });
        Receive<StopNode>(_ => BeginStop(node));
        NodeGone(node, jobId: null);
    }

    private void Busy(IActorRef node, string jobId)
    {
        Receive<NodeChunks>(chunks => Context.Parent.Tell(chunks));
        Receive<NodeProgress>(progress => Context.Parent.Tell(progress));
        Receive<ChunksAck>(ack => node.Tell(ack));
        Receive<NodeJobSucceeded>(done => Finish(node, done));
        Receive<NodeJobFailed>(failed => Finish(node, failed));
        Receive<CancelRunningJob>(new Predicate<CancelRunningJob>(cancel => cancel.JobId == jobId), _ =>
        {
            _log.Info("Worker [{0}] killing pid [{1}] to cancel job [{2}]", _workerId, Pid, jobId);
            _node?.Kill();
            Become(() => Cancelling(jobId));
        });
        Receive<CancelRunningJob>(_ => { }); // aimed at another job: never kill this one
        Receive<SlotPluginCommand>(command => node.Tell(command.Command, Sender));
        Receive<StopNode>(_ => BeginStop(node));
        NodeGone(node, jobId);
    }

    private void Finish(IActorRef node, object outcome)
    {
        Context.Parent.Tell(outcome);
        Become(() => Idle(node));
    }

    private void Cancelling(string jobId)
    {
        Receive<StopNode>(_ => BeginStop(node: null));
        // Whatever the node still sends is dropped: the job's outcome is Cancelled once the process is gone.
        Receive<NodeExited>(new Predicate<NodeExited>(exited => exited.Pid == Pid), _ =>
        {
            throw new WorkerCancelledException(_workerId, Pid, jobId);
        });
        ReceiveAny(_ => { });
    }

    /// <summary>
    /// Asks the node to exit and gives it <see cref="WorkerConfig.ShutdownTimeout"/> before killing it; the sender
    /// hears <see cref="Done"/> once the process is gone.
    /// </summary>
    private void BeginStop(IActorRef? node)
    {
        var replyTo = Sender;
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
            Receive<NodeExited>(new Predicate<NodeExited>(exited => exited.Pid == Pid), _ =>
            {
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

    private void NodeGone(IActorRef node, string? jobId)
    {
        var during = jobId is null ? "" : " while running the job";
        Receive<NodeExited>(new Predicate<NodeExited>(exited => exited.Pid == Pid), exited =>
        {
            throw new WorkerCrashedException(_workerId, Pid, jobId, $"worker process exited with {ExitCodes.Describe(exited.Code)}{during}");
        });
        Receive<Terminated>(new Predicate<Terminated>(t => t.ActorRef.Equals(node)), _ =>
        {
            // The remote node is unreachable although its process may live: kill it and report it as lost.
            _node?.Kill();
            throw new WorkerCrashedException(_workerId, Pid, jobId, $"worker node stopped answering{during}");
        });
    }

    // Carries the pid so that the exit of a node from an earlier incarnation is not taken for the current one's.
    private sealed record NodeExited(int Pid, int Code);

    private sealed record LaunchFailed(string Reason);

    private sealed class StartTimedOut : IDeadLetterSuppression
    {
        public static readonly StartTimedOut Instance = new();
    }

    private sealed class StopTimedOut : IDeadLetterSuppression
    {
        public static readonly StopTimedOut Instance = new();
    }

    private sealed class StopTimeoutKey
    {
        public static readonly StopTimeoutKey Instance = new();
    }

    private sealed class StartTimeoutKey
    {
        public static readonly StartTimeoutKey Instance = new();
    }
}
