using Akka;
using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Launching;
using Workers.Actors.Manager;
using Workers.Actors.Persistence;
using Workers.Actors.Plugins;
using Workers.Actors.Proxy;

namespace Workers.Actors;

/// <summary>
/// Owns the jobs of one worker type: the job table, the queue of pending jobs, the subscriptions and the worker
/// slots. Each slot is a <c>WorkerProxyActor</c> child bound to one worker node process. The actor never blocks;
/// every command is answered to its sender (see the README for the protocol).
/// </summary>
public sealed partial class JobManagerActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly JobManagerOptions _options;
    private readonly PluginResolver _resolver;
    private readonly JobManagerHooks? _hooks;
    private readonly Dictionary<string, string> _pluginConfigs;
    private readonly OrderedDictionary<string, JobRecord> _jobs = [];
    private readonly PendingJobQueue _pending = new();
    private readonly RunTimes _runTimes = new();
    private readonly Subscribers _subscribers = new();
    private readonly List<Slot> _slots;
    /// <summary>Filled by <see cref="Dispatch"/> with the slots a job may go to now; kept to spare an allocation per message.</summary>
    private readonly List<Slot> _idleSlots = [];
    private readonly string? _nodeToken;
    private readonly ResourceNotifier _resources;
    // What one message to a node may carry: a job whose request is larger is refused or failed, never sent to be lost.
    // Without remoting settings (a test's nodes in this process) no transport limits it.
    private readonly long _maxPayloadBytes = WireLimits.PayloadBytes(WireLimits.FrameBytes(Context.System.Settings.Config, fallback: long.MaxValue / 2));
    private IActorRef? _broadcast;
    private INodeLauncher _launcher = null!;
    private long _nextSequence;
    private long _nextCorrelationId;
    private bool _stopping;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public JobManagerActor(JobManagerOptions options)
    {
        options.Validate();
        _options = options;
        _resolver = new PluginResolver(PluginDiscovery.Discover(options.ResolvedPluginAssemblies()).Select(p => p.Name).ToImmutableHashSet(), options.PluginRegistry);
        _hooks = options.Hooks;
        _resources = new ResourceNotifier(options.ResourceManager, options.WorkerType, options.Hooks ?? new JobManagerHooks(), _log);
        _pluginConfigs = options.PluginConfigs.ToDictionary(pair => pair.Key, pair => pair.Value.GetRawText());
        // MaxWorkers slots run jobs at once; the WarmSpares more keep started nodes ready to take over. Slots of external
        // nodes are added as those register.
        var spawned = options.SpawnNodes ? options.Worker.MaxWorkers + options.Worker.WarmSpares : 0;
        _slots = [.. Enumerable.Range(1, spawned).Select(i => new Slot(i))];
        _nodeToken = options.ResolveNodeToken();

        if (options.Store.IsDurable)
            Recovering();
        else
            Ready();
    }

    /// <summary>The manager's behaviour once its job table is complete (at once without a job store).</summary>
    private void Ready()
    {
        Receive<StartJob>(Handle);
        Receive<ResourcesValidated>(Handle);
        Receive<CancelJob>(Handle);
        Receive<GetJob>(get => Sender.Tell(new JobInfo(_jobs.GetValueOrDefault(get.JobId)?.ToSnapshot())));
        Receive<GetAllJobs>(_ => Sender.Tell(new AllJobs(_jobs.Values.Select(job => job.ToSnapshot()).ToList())));
        Receive<ClearCompletedJobs>(Handle);
        Receive<GetWorkers>(_ => Sender.Tell(new WorkersInfo(_slots.Select(slot => slot.ToSnapshot()).ToList())));
        Receive<SubscribeToJobEvents>(Handle);
        Receive<UnsubscribeFromJobEvents>(Handle);
        Receive<AckJobEvents>(Handle);
        Receive<ReloadPlugin>(Handle);
        Receive<UnloadPlugin>(Handle);
        Receive<PluginCommandsDone>(Handle);
        Receive<NodePluginCommandReply>(Handle);
        Receive<RegisterWorker>(Handle);
        Receive<SlotReady>(Handle);
        Receive<NodeChunks>(Handle);
        Receive<NodeProgress>(Handle);
        Receive<QueuedJobCancelled>(Handle);
        Receive<NodeHeartbeat>(Handle);
        Receive<NodeJobSucceeded>(Handle);
        Receive<NodeJobFailed>(Handle);
        Receive<SlotFaulted>(Handle);
        Receive<Terminated>(Handle);
        Receive<StopAllNodes>(Handle);
        Receive<RestartSlot>(Handle);
        Receive<RefillSpares>(Handle);
        Receive<JobStored>(Handle);
        Receive<JobEndStored>(Handle);
        Receive<RecordsStored>(Handle);
        Receive<SendRecords>(_ => SendUnsentRecords());
        Receive<ReplyWhenStored>(reply => reply.To.Tell(reply.Message));
        Receive<JobStoreWriteFailed>(Handle);
        Receive<JobStoreRecovered>(Handle);
        Receive<JobStoreUnavailable>(unavailable => StoreUnavailable(unavailable.Reason));
        Receive<JobStoreSnapshotSaved>(Handle);
        Receive<RestartJournal>(_ => StartJournal());
        Receive<SweepFinishedJobs>(Handle);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for plain Akka: create it on a system configured with <see cref="WorkersConfiguration.Manager"/>.</summary>
    /// <remarks>
    /// The actor runs on <see cref="JobManagerMailbox"/> (<c>workers-job-manager-mailbox</c>), which the system's
    /// configuration must define: <see cref="WorkersConfiguration.Manager"/> and <c>WithWorkers</c> do.
    /// </remarks>
    public static Props Props(JobManagerOptions options) =>
        Akka.Actor.Props.Create(() => new JobManagerActor(options)).WithMailbox(JobManagerMailbox.Id);

    /// <summary>The conventional actor name of the manager of a worker type.</summary>
    public static string ActorName(string workerType) => $"job-manager-{workerType}";

    protected override SupervisorStrategy SupervisorStrategy() =>
        new WorkerSupervisorStrategy(_options.Worker.RestartPolicy, (child, cause, directive) =>
        {
            // An external node cannot be started from here: its slot goes, and the node's own supervisor brings it back.
            if (SlotOf(child) is { IsExternal: true })
                directive = Directive.Stop;
            // A slot about to pass its failure budget is not restarted: it becomes Failed when SlotFaulted is handled.
            else if (directive == Directive.Restart && RestartDecider.IsFailure(cause)
                && SlotOf(child) is { } slot && slot.ConsecutiveFailures + 1 > _options.Worker.MaxRestartAttempts)
                directive = Directive.Stop;
            Self.Tell(new SlotFaulted(child, cause, directive));
            return directive;
        });

    protected override void PreStart()
    {
        _launcher = _options.NodeLauncher ?? new ProcessNodeLauncher(_options.WorkerNodePath, Logging.GetLogger(Context.System, $"{Self.Path.Name}.nodes"));
        if (_options.NodeLauncher is null && Context.System is ExtendedActorSystem { Provider: not Akka.Remote.IRemoteActorRefProvider })
            throw new InvalidOperationException(
                "JobManagerActor needs Akka.Remote so that worker nodes can connect back: create the ActorSystem with WorkersConfiguration.Manager, or use WithWorkers.");

        var self = Self;
        var stopped = _stopped.Task;
        var stopWithin = _options.Worker.ShutdownTimeout + TimeSpan.FromSeconds(2);
        CoordinatedShutdown.Get(Context.System).AddTask(CoordinatedShutdown.PhaseServiceStop, $"stop-worker-nodes-{_options.WorkerType}",
            // A manager stopped earlier took its nodes with it (its proxies' PostStop kills them): nothing to wait for.
            () => Task.WhenAny(self.Ask<Done>(StopAllNodes.Instance, stopWithin), stopped).ContinueWith(_ => Done.Instance, TaskScheduler.Default));
        if (_options.EventBroadcaster is { } broadcaster)
            _broadcast = Context.ActorOf(EventBroadcastActor.Props(broadcaster, _options.WorkerType, _options.EventBroadcasterBuffer), "event-broadcaster");
        if (_options.Store.IsDurable)
            StartJournal(); // Started() follows the recovery
        else
            Started();
    }

    /// <summary>The job table is complete: the retention sweep begins, and nodes start for warm spares and recovered jobs.</summary>
    private void Started()
    {
        StartRetention();
        Dispatch(); // warm spares start now; other nodes on first need
        _log.Info("Job manager [{0}] ready with [{1}] slot(s), plugins [{2}] and job store [{3}]", _options.WorkerType, _slots.Count,
            string.Join(", ", _resolver.NodePlugins.Order()), _options.Store.Kind);
    }

    protected override void PostStop()
    {
        // The proxies kill their nodes as they stop with the manager: those nodes leave the resource manager's books too.
        foreach (var slot in _slots)
        {
            if (slot is { IsExternal: false, Pid: { } pid })
                _resources.Exited(pid);
        }
        _stopped.TrySetResult();
    }

    /// <summary>
    /// A bug in a handler must not cost every job and subscription (a restart would): the manager logs it and goes on
    /// with its state as it is. Faults of nodes never arrive here; they are the proxies' exceptions.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            _log.Error(e, "Job manager [{0}] failed to handle [{1}]; its state is kept", _options.WorkerType, message.GetType().Name);
            return true;
        }
    }

    private DateTimeOffset Now => DateTimeOffset.UtcNow;

    private void Handle(CancelJob cancel)
    {
        if (!_jobs.TryGetValue(cancel.JobId, out var job))
        {
            Sender.Tell(new CancelJobResult(cancel.JobId, false, $"Unknown job \"{cancel.JobId}\"."));
            return;
        }
        switch (job.Status)
        {
            case JobStatus.Pending when HeldBy(job) is { Proxy: { } proxy }:
                // Sent ahead to a node: the node drops it (QueuedJobCancelled) without touching its running job, or, if
                // it has just started it, the proxy kills it as any running job. Answered when either has happened.
                (job.CancelRequesters ??= []).Add(Sender);
                proxy.Tell(new CancelRunningJob(job.Id));
                break;
            case JobStatus.Pending:
                if (!job.AwaitingStore)
                    _pending.Remove(job);
                job.Cancel(Now);
                Sender.Tell(new CancelJobResult(job.Id, true, null));
                EndJob(job, new JobCancelled(job.Id));
                break;
            case JobStatus.Running when SlotOf(job) is { Proxy: { } proxy }:
                // Answered once the node process is gone (or the job finished first).
                (job.CancelRequesters ??= []).Add(Sender);
                proxy.Tell(new CancelRunningJob(job.Id));
                break;
            default:
                Sender.Tell(new CancelJobResult(job.Id, false, $"Job \"{job.Id}\" is already {job.Status.ToString().ToLowerInvariant()}."));
                break;
        }
    }

    /// <summary>Answered once the store has forgotten them too.</summary>
    private void Handle(ClearCompletedJobs _) => RemoveFinished(_ => true, Sender, count => new CompletedJobsCleared(count));

    private void Handle(SubscribeToJobEvents subscribe)
    {
        if (subscribe.JobId is { } jobId && _jobs.TryGetValue(jobId, out var ended) && ended.IsTerminal && !_unannounced.ContainsKey(jobId))
        {
            // Nothing more will happen to the job: tell how it ended instead of keeping a subscription for ever.
            Sender.Tell(new SubscribedToJobEvents(jobId));
            subscribe.Subscriber.Tell(TerminalEvent(ended), Self);
            return;
        }
        if (subscribe.AckWindow is < 1)
        {
            Sender.Tell(new Status.Failure(new ArgumentOutOfRangeException(nameof(subscribe.AckWindow), subscribe.AckWindow, "AckWindow must be at least 1, or null for no flow control.")));
            return;
        }
        _subscribers.Add(subscribe.Subscriber, subscribe.JobId, subscribe.AckWindow);
        Context.Watch(subscribe.Subscriber);
        Sender.Tell(new SubscribedToJobEvents(subscribe.JobId));
    }

    private void Handle(UnsubscribeFromJobEvents unsubscribe)
    {
        _subscribers.RemoveEverywhere(unsubscribe.Subscriber);
        Context.Unwatch(unsubscribe.Subscriber);
        Sender.Tell(UnsubscribedFromJobEvents.Instance);
        ReleaseHeldChunks();
    }

    private void Handle(SlotReady ready)
    {
        if (SlotOf(Sender) is not { } slot)
            return;
        slot.State = WorkerState.Idle;
        slot.Pid = ready.Pid;
        slot.Plugins = ready.Plugins;
        slot.MaxPayloadBytes = ready.MaxPayloadBytes;
        slot.LoadedPlugin = null;
        slot.JobsOnNode = 0;
        slot.MemoryBytes = 0;
        LoadConfiguredPlugins(slot);
        Publish(new WorkerStarted(slot.WorkerId, ready.Pid));
        Dispatch();
    }

    private void Handle(Terminated terminated)
    {
        if (terminated.ActorRef.Equals(_journal))
        {
            JournalStopped();
            return;
        }
        if (SlotOf(terminated.ActorRef) is { } slot)
        {
            // The proxy was stopped by the restart policy: the slot starts a new node when a job needs it
            // (or, under Backoff, when its delay is over).
            slot.Proxy = null;
            slot.State = WorkerState.NotStarted;
            if (slot.Restart == SlotRestart.Due)
                StartAfterBackoff(slot);
            Dispatch();
            return;
        }
        _subscribers.RemoveEverywhere(terminated.ActorRef);
        ReleaseHeldChunks();
    }

    /// <summary>
    /// Settles a job that has just reached its terminal status. With a job store the end is announced once it is
    /// written, so that whoever hears of it can rely on it surviving a restart.
    /// </summary>
    private void EndJob(JobRecord job, IJobEvent terminal)
    {
        if (Journaled)
            EndDurably(job, terminal);
        else
            Announce(job, terminal);
    }

    /// <summary>
    /// Delivers the terminal event, calls <see cref="JobManagerHooks.OnJobCompleted"/>, answers waiting cancels, and
    /// forgets the job's per-job subscribers. With a job store, only once the end is written: what the application
    /// hears of a job's end, it finds again after a restart.
    /// </summary>
    private void Announce(JobRecord job, IJobEvent terminal)
    {
        Deliver(terminal);
        WorkersTelemetry.OnJobEnded(_options.WorkerType, job.PluginId, job.Status, job.StartedAt, job.CompletedAt, terminal);
        if (job.Status == JobStatus.Completed && _hooks is not null)
        {
            try
            {
                _hooks.OnJobCompleted(job.ToSnapshot());
            }
            catch (Exception e)
            {
                _log.Warning("OnJobCompleted failed for job [{0}]: {1}", job.Id, e.Message);
            }
        }
        if (job.CancelRequesters is { } requesters)
        {
            var cancelled = job.Status == JobStatus.Cancelled;
            var reply = new CancelJobResult(job.Id, cancelled, cancelled ? null : $"Job \"{job.Id}\" {job.Status.ToString().ToLowerInvariant()} before it could be cancelled.");
            requesters.ForEach(requester => requester.Tell(reply));
            job.CancelRequesters = null;
        }
        foreach (var subscriber in _subscribers.DropJob(job.Id))
        {
            if (_subscribers.IsKnown(subscriber))
                continue;
            _subscribers.RemoveEverywhere(subscriber); // its flow-control window too: it hears nothing more
            Context.Unwatch(subscriber);
        }
        ReleaseHeldChunks();
    }

    private static IJobEvent TerminalEvent(JobRecord job) => job.Status switch
    {
        JobStatus.Completed => new JobCompleted(job.Id, job.Result!.Value),
        JobStatus.Failed => new JobFailed(job.Id, job.Error ?? "failed"),
        _ => new JobCancelled(job.Id),
    };

    /// <summary>Delivers an event, or queues it behind a job end that the store has not written yet (the order stays).</summary>
    private void Publish(IJobEvent @event)
    {
        if (_outbox.Count > 0)
            _outbox.Enqueue(@event);
        else
            Deliver(@event);
    }

    private void Deliver(IJobEvent @event)
    {
        _subscribers.Publish(@event, Self);
        _broadcast?.Tell(@event);
        WorkersTelemetry.OnJobEvent(_options.WorkerType, @event, _pending.Count);
    }

    private void Publish(IWorkerEvent @event)
    {
        if (_outbox.Count > 0)
            _outbox.Enqueue(@event);
        else
            Deliver(@event);
        // The resource manager hears of processes as they come and go (it is about processes, not about jobs), and
        // keeps the books of this host: a node on another host is none of its business.
        if (_slots.Find(slot => slot.WorkerId == @event.WorkerId) is { IsExternal: true })
            return;
        switch (@event)
        {
            case WorkerStarted started:
                _resources.Started(started.Pid);
                break;
            case WorkerExited exited:
                _resources.Exited(exited.Pid);
                break;
        }
    }

    private void Deliver(IWorkerEvent @event)
    {
        _subscribers.Publish(@event, Self);
        _broadcast?.Tell(@event);
        WorkersTelemetry.OnWorkerEvent(_options.WorkerType, @event);
    }

    // Loops rather than List.Find with a closure: these run for every message from a node.
    private Slot? SlotOf(IActorRef proxy)
    {
        foreach (var slot in _slots)
        {
            if (proxy.Equals(slot.Proxy))
                return slot;
        }
        return null;
    }

    private Slot? SlotOf(JobRecord job)
    {
        foreach (var slot in _slots)
        {
            if (slot.RunningJob == job)
                return slot;
        }
        return null;
    }

    private Slot? HeldBy(JobRecord job) => _slots.Find(slot => slot.Queued.Contains(job));

    private JobRecord? RunningJobOf(IActorRef proxy, string jobId) =>
        SlotOf(proxy)?.RunningJob is { } job && job.Id == jobId ? job : null;
}
