using Akka.Actor;
using Akka.Event;
using Workers.Actors.Launching;

namespace Workers.Actors.Proxy;

/// <summary>
/// Owns one worker slot: starts its node, waits for it to register, hands it jobs and relays what the node sends back
/// to the manager. The node runs one job at a time and holds the ones sent ahead of it in order
/// (<see cref="WorkerConfig.PipelineDepth"/>): the first job sent and not ended is the running one. When the node is gone it throws a <see cref="WorkerException"/>, and the
/// manager's supervisor strategy decides what happens to the slot. Stopping or restarting the proxy kills its node.
/// </summary>
/// <remarks>
/// An <see cref="UntypedActor"/> with one method per state, switched with <c>Context.Become</c>: every job switches
/// Idle → Busy → Idle, and a <see cref="ReceiveActor"/> builds its whole handler table again on each switch (about
/// 40% of the manager's allocations per job were that). The registered node is set once and the jobs on it are a
/// list, both fields: switching states allocates nothing.
/// </remarks>
internal sealed partial class WorkerProxyActor : UntypedActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _workerId;
    private readonly INodeLauncher _launcher;
    private readonly NodeLaunchRequest _request;
    private readonly WorkerConfig _config;
    private readonly Receive _idle;
    private readonly Receive _busy;

    // The jobs sent to the node and not ended, in the order sent: the first runs, the others wait on the node.
    private readonly List<SentJob> _jobs = [];

    // Jobs sent ahead while the node is busy, not yet on their way: they leave together on SendHeldJobs, which this
    // proxy tells itself behind the RunJobs already in its mailbox, or before any other message to the node.
    private readonly List<ExecuteJob> _unsent = [];

    // This system's frame (none without remoting settings: a test's node in this process), and the most one batch of
    // jobs takes: a quarter of the payload of the frame both ends take, set when the node registers.
    private readonly long _frameBytes = WireLimits.FrameBytes(Context.System.Settings.Config, fallback: long.MaxValue / 2);
    private long _batchBytes;
    private ILaunchedNode? _node;
    private IActorRef _nodeRef = ActorRefs.Nobody;

    public WorkerProxyActor(string workerId, INodeLauncher launcher, NodeLaunchRequest request, WorkerConfig config)
    {
        _workerId = workerId;
        _launcher = launcher;
        _request = request;
        _config = config;
        _idle = Idle;
        _busy = Busy;
        Context.Become(Starting);
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

    // Every message is handled by the current state (Context.Become); this is never the behaviour.
    protected override void OnReceive(object message) => Unhandled(message);

    private bool Starting(object message)
    {
        switch (message)
        {
            case RegisterWorker registration:
                HandleRegistration(registration);
                return true;
            case StopNode:
                BeginStop(node: null, then: null);
                return true;
            case LaunchFailed failed:
                throw new WorkerStartFailedException(_workerId, null, $"worker node could not be started: {failed.Reason}");
            case StartTimedOut:
                _node?.Kill();
                throw new WorkerStartFailedException(_workerId, Pid, $"worker node did not register within {_config.WorkerStartTimeout}");
            case NodeExited exited when IsCurrentNode(exited):
                var errors = _node?.RecentErrors is { Length: > 0 } text ? $": {text}" : "";
                throw new WorkerStartFailedException(_workerId, Pid, $"worker node exited with {ExitCodes.Describe(exited.Code)} before it registered{errors}");
            default:
                return IsFromEarlierNode(message);
        }
    }

    /// <summary>
    /// A restarted proxy still hears about the node of its previous incarnation (its exit, its DeathWatch): that node
    /// is already dealt with, and must not be taken for the current one.
    /// </summary>
    private static bool IsFromEarlierNode(object message) => message is Terminated or NodeExited;

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
        registration.Worker.Tell(new WorkerRegistered(_workerId, _config.HeartbeatInterval, _frameBytes));
        ExpectHeartbeat();
        var payload = WireLimits.PayloadBytes(WireLimits.Agreed(_frameBytes, registration.MaxFrameBytes));
        _batchBytes = payload / 4;
        Context.Parent.Tell(new SlotReady(registration.Pid, registration.Plugins, payload));
        _nodeRef = registration.Worker;
        Context.Become(_idle);
    }

    private bool Idle(object message)
    {
        var node = _nodeRef;
        switch (message)
        {
            case RunJob job:
                Send(node, job);
                StartTimeout(_jobs[0]);
                Context.Become(_busy);
                return true;
            case CancelRunningJob or QueuedJobCancelled:
                return true; // the job ended before the cancel arrived: nothing to kill
            case RecycleNode recycle:
                BeginStop(node, then: recycle.Reason);
                return true;
            case ChunksAck:
                return true;
            default:
                return Alive(message, jobId: null);
        }
    }

    private bool Busy(object message)
    {
        var node = _nodeRef;
        var jobId = _jobs[0].JobId;
        switch (message)
        {
            case RunJob job:
                SendAhead(job); // waits on the node behind the running job
                return true;
            case NodeChunks or NodeProgress when Sender.Equals(node):
                Context.Parent.Tell(message);
                return true;
            case ChunksAck ack:
                TellNode(node, ack);
                return true;
            case NodeJobSucceeded or NodeJobFailed when Sender.Equals(node) && OutcomeJobId(message) == jobId:
                EndRunningJob(message);
                return true;
            case NodeJobsEnded ended when Sender.Equals(node):
                // Each as if it had come alone: ending a job changes no state but Idle once none is left, where an
                // outcome is dropped as it would be alone.
                foreach (var outcome in ended.Outcomes)
                {
                    if (_jobs.Count > 0 && OutcomeJobId(outcome) == _jobs[0].JobId)
                        EndRunningJob(outcome);
                    else
                        Alive(outcome, _jobs.Count > 0 ? _jobs[0].JobId : null);
                }
                return true;
            case CancelRunningJob cancel when cancel.JobId == jobId:
                KillToCancel(jobId);
                return true;
            case CancelRunningJob cancel:
                // A job waiting on the node is dropped there; one not held any more has ended. The running one is never touched.
                if (IndexOfHeld(cancel.JobId) >= 0)
                    TellNode(node, new CancelQueuedJob(cancel.JobId)); // after the job itself
                return true;
            case QueuedJobCancelled { Removed: true } cancelled:
                if (IndexOfHeld(cancelled.JobId) is var index and >= 0)
                    _jobs.RemoveAt(index);
                Context.Parent.Tell(cancelled);
                return true;
            case QueuedJobCancelled cancelled when cancelled.JobId == jobId:
                // The node had started it before the cancel arrived: it runs now, and cancelling a running job kills it.
                KillToCancel(jobId);
                return true;
            case QueuedJobCancelled:
                return true; // it has ended: its outcome came first
            case JobTimedOut timedOut when timedOut.JobId == jobId:
                KillForTimeout(timedOut);
                return true;
            default:
                return Alive(message, jobId);
        }
    }

    /// <summary>
    /// What holds in every registered state: how a node is seen to be alive and what happens when it is not, the
    /// manager's stop and plugin commands, and what a node sends that is not about its running job.
    /// </summary>
    private bool Alive(object message, string? jobId)
    {
        var node = _nodeRef;
        switch (message)
        {
            // The node repeats its registration until the answer arrives: a repeat crossing our answer gets it again.
            case RegisterWorker again when again.Worker.Equals(node):
                again.Worker.Tell(new WorkerRegistered(_workerId, _config.HeartbeatInterval, _frameBytes));
                return true;
            case NodeHeartbeat heartbeat when Sender.Equals(node):
                ExpectHeartbeat();
                Context.Parent.Tell(heartbeat);
                return true;
            case NodeJobSucceeded or NodeJobFailed or NodeJobsEnded or NodeChunks or NodeProgress or NodeHeartbeat:
                // Sent before this slot's previous node was killed and still in flight then, or about a job that is not
                // the running one: taken for the running job, it would end that job with another's outcome and leave
                // the slot deaf to the real one.
                _log.Debug("Worker [{0}] dropped [{1}] from [{2}]: not about the running job of its current node", _workerId, message.GetType().Name, Sender);
                return true;
            case SendHeldJobs:
                SendUnsent(node);
                return true;
            case StopNode:
                BeginStop(node, then: null);
                return true;
            case SlotPluginCommand command:
                TellNode(node, command.Command, Sender);
                return true;
            case HeartbeatMissed:
                _log.Warning("Worker [{0}] pid [{1}] sent no heartbeat for [{2}]; killing it", _workerId, Pid, _config.HeartbeatTimeout);
                KillAndAwaitExit(_ => new WorkerUnresponsiveException(_workerId, Pid, jobId,
                    $"worker node stopped answering (no heartbeat for {_config.HeartbeatTimeout.TotalSeconds:0.#} s){During(jobId)}"));
                return true;
            case NodeExited exited when IsCurrentNode(exited):
                throw new WorkerCrashedException(_workerId, Pid, jobId, $"worker process exited with {ExitCodes.Describe(exited.Code)}{During(jobId)}");
            case Terminated t when t.ActorRef.Equals(node):
                NodeLost(jobId);
                return true;
            default:
                return IsFromEarlierNode(message);
        }
    }

    /// <summary>
    /// DeathWatch lost the node. Usually its process has just died and DeathWatch beat Process.Exited: give the exit a
    /// moment to arrive, so the reason carries its code. A process still alive after that is unreachable (hung, cut
    /// off): kill it.
    /// </summary>
    private void NodeLost(string? jobId)
    {
        Timers.Cancel(WatchdogKey.Instance);
        Timers.StartSingleTimer(WatchdogKey.Instance, ExitGraceOver.Instance, ExitGrace);
        Context.Become(message =>
        {
            switch (message)
            {
                case NodeExited exited when IsCurrentNode(exited):
                    throw new WorkerCrashedException(_workerId, Pid, jobId, $"worker process exited with {ExitCodes.Describe(exited.Code)}{During(jobId)}");
                case ExitGraceOver:
                    KillAndAwaitExit(_ => new WorkerCrashedException(_workerId, Pid, jobId, $"worker node stopped answering{During(jobId)}"));
                    return true;
                case StopNode:
                    BeginStop(node: null, then: null);
                    return true;
                default:
                    return true;
            }
        });
    }

    private static string? OutcomeJobId(object outcome) => outcome switch
    {
        NodeJobSucceeded done => done.JobId,
        NodeJobFailed failed => failed.JobId,
        _ => null,
    };

    private static string During(string? jobId) => jobId is null ? "" : " while running the job";

    private void ExpectHeartbeat() =>
        Timers.StartSingleTimer(WatchdogKey.Instance, HeartbeatMissed.Instance, _config.HeartbeatTimeout);

    private sealed record LaunchFailed(string Reason);

    private sealed class StartTimedOut : IDeadLetterSuppression
    {
        public static readonly StartTimedOut Instance = new();
    }
}
