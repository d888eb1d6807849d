using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;

namespace Workers.Actors.Proxy;

/// <summary>
/// Owns the slot of a worker node that an operator started (on another host, or on this one without the manager):
/// the node registered itself, so there is no process to launch, watch or kill here. It is created registered,
/// hands the node one job at a time like <see cref="WorkerProxyActor"/>, and learns of the node's loss from remote
/// DeathWatch (process ended, host unreachable, network cut) or from missing heartbeats, whichever comes first.
/// Then it throws <see cref="WorkerLostException"/> and the manager drops the slot: only the node's own supervisor
/// can start it again. To end a job early (cancel, timeout) or to recycle, it asks the node to exit.
/// A node whose slot is dropped sees this proxy terminate (it watches it) and exits by itself.
/// </summary>
internal sealed class RemoteNodeProxyActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _workerId;
    private readonly string _host;
    private readonly RegisterWorker _registration;
    private readonly WorkerConfig _config;
    private readonly long _frameBytes = WireLimits.FrameBytes(Context.System.Settings.Config, fallback: long.MaxValue / 2);

    public RemoteNodeProxyActor(string workerId, string host, RegisterWorker registration, WorkerConfig config)
    {
        _workerId = workerId;
        _host = host;
        _registration = registration;
        _config = config;
        Idle(registration.Worker);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string workerId, string host, RegisterWorker registration, WorkerConfig config) =>
        Akka.Actor.Props.Create(() => new RemoteNodeProxyActor(workerId, host, registration, config));

    private int Pid => _registration.Pid;

    protected override void PreStart()
    {
        var node = _registration.Worker;
        Context.Watch(node);
        node.Tell(new WorkerRegistered(_workerId, _config.HeartbeatInterval, _frameBytes));
        ExpectHeartbeat();
        Context.Parent.Tell(new SlotReady(Pid, _registration.Plugins, WireLimits.PayloadBytes(WireLimits.Agreed(_frameBytes, _registration.MaxFrameBytes))));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Idle(IActorRef node)
    {
        Receive<RunJob>(job =>
        {
            node.Tell(new ExecuteJob(job.JobId, job.PluginId, job.ParametersJson, job.Stream, job.ConfigJson, _config.ResultQueueSize));
            if (job.Timeout is { } timeout)
                Timers.StartSingleTimer(JobTimeoutKey.Instance, new JobTimedOut(job.JobId, timeout), timeout);
            Become(() => Busy(node, job.JobId));
        });
        Receive<CancelRunningJob>(_ => { }); // the job ended before the cancel arrived
        Receive<RecycleNode>(recycle => AskToExit(node, () => new WorkerRecycledException(_workerId, Pid, recycle.Reason)));
        Receive<ChunksAck>(_ => { });
        Common(node, jobId: null);
    }

    private void Busy(IActorRef node, string jobId)
    {
        Receive<NodeChunks>(_ => Sender.Equals(node), chunks => Context.Parent.Tell(chunks));
        Receive<NodeProgress>(_ => Sender.Equals(node), progress => Context.Parent.Tell(progress));
        Receive<ChunksAck>(ack => node.Tell(ack));
        // Only the running job's outcome ends it: one about another job (sent before a cancel crossed it) is dropped below.
        Receive<NodeJobSucceeded>(done => done.JobId == jobId && Sender.Equals(node), done => Finish(node, done));
        Receive<NodeJobFailed>(failed => failed.JobId == jobId && Sender.Equals(node), failed => Finish(node, failed));
        // This node holds one job at a time, so a batch has at most the running job's outcome; any other is dropped.
        Receive<NodeJobsEnded>(_ => Sender.Equals(node), ended =>
        {
            if (ended.Outcomes.FirstOrDefault(outcome => JobIdOf(outcome) == jobId) is { } outcome)
                Finish(node, outcome);
        });
        Receive<CancelRunningJob>(cancel => cancel.JobId == jobId, _ =>
        {
            // The only way to stop a plugin that never checks its token is to end its process: the node exits, its
            // supervisor starts it again, and it registers anew.
            _log.Info("Worker [{0}] on host [{1}]: asking the node to exit to cancel job [{2}]", _workerId, _host, jobId);
            AskToExit(node, () => new WorkerCancelledException(_workerId, Pid, jobId));
        });
        Receive<CancelRunningJob>(_ => { }); // aimed at another job
        Receive<JobTimedOut>(timedOut => timedOut.JobId == jobId, timedOut =>
        {
            _log.Warning("Worker [{0}] on host [{1}]: job [{2}] timed out after [{3}]; asking the node to exit", _workerId, _host, jobId, timedOut.After);
            AskToExit(node, () => new WorkerUnresponsiveException(_workerId, Pid, jobId, $"job timed out after {timedOut.After:c}"));
        });
        Common(node, jobId);
    }

    private void Finish(IActorRef node, object outcome)
    {
        Timers.Cancel(JobTimeoutKey.Instance);
        Context.Parent.Tell(outcome);
        Become(() => Idle(node));
    }

    /// <summary>What holds in every registered state: plugin commands, heartbeats, loss, and the manager's shutdown.</summary>
    private void Common(IActorRef node, string? jobId)
    {
        var during = jobId is null ? "" : " while running the job";
        Receive<SlotPluginCommand>(command => node.Tell(command.Command, Sender));
        Receive<RegisterWorker>(again => again.Worker.Equals(node), again =>
        {
            again.Worker.Tell(new WorkerRegistered(_workerId, _config.HeartbeatInterval, _frameBytes));
        });
        Receive<NodeHeartbeat>(_ => Sender.Equals(node), heartbeat =>
        {
            ExpectHeartbeat();
            Context.Parent.Tell(heartbeat);
        });
        Receive<IWorkerWireMessage>(message => message is NodeJobSucceeded or NodeJobFailed or NodeJobsEnded or NodeChunks or NodeProgress or NodeHeartbeat, message =>
            _log.Debug("Worker [{0}] dropped [{1}] from [{2}]: not about the running job of its node", _workerId, message.GetType().Name, Sender));
        Receive<HeartbeatMissed>(_ => throw new WorkerLostException(_workerId, Pid, jobId,
            $"worker node on host {_host} was lost: no heartbeat for {_config.HeartbeatTimeout.TotalSeconds:0.#} s{during}"));
        Receive<Terminated>(new Predicate<Terminated>(t => t.ActorRef.Equals(node)), terminated =>
        {
            throw Lost(terminated, jobId);
        });
        Receive<StopNode>(_ =>
        {
            // The manager shuts down: the node is asked to exit (its supervisor decides whether it comes back).
            var replyTo = Sender;
            node.Tell(StopWorkerNode.Instance);
            AwaitExit(node, onGone: () =>
            {
                replyTo.Tell(Done.Instance);
                Context.Stop(Self);
            });
        });
    }

    /// <summary>
    /// Asks the node to exit and reports <paramref name="outcome"/> once it is gone (DeathWatch), or after
    /// <see cref="WorkerConfig.ShutdownTimeout"/> if it cannot be reached to confirm. Whatever the node still sends
    /// meanwhile is dropped: a late result can never change the job's outcome.
    /// </summary>
    private void AskToExit(IActorRef node, Func<WorkerException> outcome)
    {
        Timers.Cancel(JobTimeoutKey.Instance);
        node.Tell(StopWorkerNode.Instance);
        AwaitExit(node, onGone: () => throw outcome());
    }

    private void AwaitExit(IActorRef node, Action onGone)
    {
        Timers.Cancel(WatchdogKey.Instance);
        Timers.StartSingleTimer(StopTimeoutKey.Instance, StopTimedOut.Instance, _config.ShutdownTimeout);
        // A node that exits at once often closes its connection before its DeathWatch notification is sent: the closed
        // connection is then the sign that it went, since it was asked to.
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Become(() =>
        {
            Receive<Terminated>(t => t.ActorRef.Equals(node), _ => onGone());
            Receive<DisassociatedEvent>(e => e.RemoteAddress.Equals(node.Path.Address), _ => onGone());
            Receive<StopTimedOut>(_ =>
            {
                _log.Warning("Worker [{0}] on host [{1}] did not confirm its exit within [{2}]", _workerId, _host, _config.ShutdownTimeout);
                onGone();
            });
            Receive<StopNode>(_ =>
            {
                Sender.Tell(Done.Instance);
                Context.Stop(Self);
            });
            ReceiveAny(_ => { });
        });
    }

    private static string? JobIdOf(IWorkerWireMessage outcome) => outcome switch
    {
        NodeJobSucceeded done => done.JobId,
        NodeJobFailed failed => failed.JobId,
        _ => null,
    };

    private WorkerLostException Lost(Terminated terminated, string? jobId)
    {
        var during = jobId is null ? "" : " while running the job";
        return new WorkerLostException(_workerId, Pid, jobId, terminated.AddressTerminated
            ? $"worker node on host {_host} was lost: its host or process stopped answering (remote DeathWatch){during}"
            : $"worker node on host {_host} was lost: it stopped{during}");
    }

    private void ExpectHeartbeat() =>
        Timers.StartSingleTimer(WatchdogKey.Instance, HeartbeatMissed.Instance, _config.HeartbeatTimeout);
}
