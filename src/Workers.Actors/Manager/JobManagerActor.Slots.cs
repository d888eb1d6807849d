using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Workers.Actors.Launching;
using Workers.Actors.Manager;
using Workers.Actors.Persistence;
using Workers.Actors.Proxy;

namespace Workers.Actors;

// The slot side of the manager: handing pending jobs to idle slots, starting nodes on demand and after a backoff,
// recycling, settling a slot's job when its node is gone, and the graceful stop.
public sealed partial class JobManagerActor
{
    /// <summary>
    /// Gives pending jobs to idle slots (priority, then FIFO; at most <see cref="WorkerConfig.MaxWorkers"/> spawned
    /// slots at once, plus every idle external node), sends more ahead to busy spawned nodes, and starts nodes for the
    /// jobs left waiting and for the warm spares (those taken by jobs here after <see cref="WorkerConfig.SpareRefillDelay"/>,
    /// see <see cref="Handle(RefillSpares)"/>). A job that no idle slot may run (its plugin is pinned elsewhere, or
    /// missing on the idle external nodes) waits without holding back the jobs behind it.
    /// </summary>
    /// <param name="spareRefillDue">the spares taken by jobs start now (<see cref="RefillSpares"/>)</param>
    private void Dispatch(bool spareRefillDue = false)
    {
        if (_stopping)
            return;
        var handedOver = false; // a job went to an idle slot, perhaps a warm spare
        // Runs after nearly every message: no allocation on the way (the idle slots go into a list kept for it).
        while (_pending.Count > 0)
        {
            var spawnedMayRun = SlotPlanner.MayRunAnother(CountSpawned(WorkerState.Busy), _options.Worker.MaxWorkers);
            _idleSlots.Clear();
            foreach (var slot in _slots)
            {
                if (slot.State == WorkerState.Idle && (slot.IsExternal || spawnedMayRun))
                    _idleSlots.Add(slot);
            }
            if (_idleSlots.Count == 0
                || !_pending.TryDequeueFirst(this, static (self, job) => SlotRouter.Choose(self._idleSlots, job.PluginName, self._options.PinnedPlugins),
                    out var next, out var chosen))
                break;
            Run(chosen, next);
            handedOver = true;
        }
        SendAhead();

        var free = 0;
        foreach (var slot in _slots)
        {
            if (IsFree(slot))
                free++;
        }
        if (free == 0)
            return;
        var busy = CountSpawned(WorkerState.Busy);
        var ready = CountSpawned(WorkerState.Idle) + CountSpawned(WorkerState.Starting);
        var pending = PendingForSpawnedSlots();
        var toStart = SlotPlanner.NodesToStart(busy, ready, free, pending, _options.Worker.MaxWorkers, _options.Worker.WarmSpares);
        if (!spareRefillDue && _options.Worker.SpareRefillDelay > TimeSpan.Zero)
        {
            // Nodes for waiting jobs start now; spares that jobs have just taken are replaced a little later, all at once.
            // The timer is never restarted: under a steady stream of jobs the spares still come back in time.
            var forJobs = SlotPlanner.NodesToStart(busy, ready, free, pending, _options.Worker.MaxWorkers, warmSpares: 0);
            if (toStart > forJobs)
            {
                var refillDue = Timers.IsTimerActive(RefillSpares.Instance);
                if (handedOver && !refillDue)
                    Timers.StartSingleTimer(RefillSpares.Instance, RefillSpares.Instance, _options.Worker.SpareRefillDelay);
                if (handedOver || refillDue)
                    toStart = forJobs;
            }
        }
        for (var i = 0; i < _slots.Count && toStart > 0; i++)
        {
            if (!IsFree(_slots[i]))
                continue;
            StartSlot(_slots[i]);
            toStart--;
        }
    }

    /// <summary>
    /// The warm spares taken by jobs are started again (<see cref="WorkerConfig.SpareRefillDelay"/> after the first of
    /// them was taken): a node's start takes a few hundred milliseconds of CPU, which the job that took the spare would
    /// otherwise share from its very first one.
    /// </summary>
    private void Handle(RefillSpares _) => Dispatch(spareRefillDue: true);

    /// <summary>A spawned slot with no node, and none about to be started again: it may be started for waiting jobs.</summary>
    private static bool IsFree(Slot slot) => slot is { IsExternal: false, State: WorkerState.NotStarted, Restart: SlotRestart.None };

    private int CountSpawned(WorkerState state)
    {
        var count = 0;
        foreach (var slot in _slots)
        {
            if (!slot.IsExternal && slot.State == state)
                count++;
        }
        return count;
    }

    /// <summary>Pending jobs a spawned slot may run: a job pinned to external nodes only must not start a local node.</summary>
    private int PendingForSpawnedSlots() =>
        _options.PinnedPlugins.Count == 0
            ? _pending.Count
            : _pending.CountWhere(job => _slots.Exists(slot => !slot.IsExternal && SlotRouter.MayRun(slot, job.PluginName, _options.PinnedPlugins)));

    /// <summary>
    /// Sends the jobs at the head of the queue ahead to busy nodes running their plugin, as many per node as the plugin's
    /// run times allow (<see cref="RunTimes.Depth"/>): a node then starts its next job without waiting a round
    /// trip to the manager. Only the head moves, so priority and submission order stay. Not while a plugin command is
    /// on its way, which must not wait on a node behind jobs sent after it.
    /// </summary>
    private void SendAhead()
    {
        // A node that is starting, or could be started, takes the next job sooner than a busy one: send ahead only when
        // every slot allowed to run jobs is running one.
        // External nodes take one job at a time: their proxy holds none ahead.
        if (_options.Worker.PipelineDepth < 2 || _pluginCommandsInFlight > 0 || CountSpawned(WorkerState.Busy) < _options.Worker.MaxWorkers)
            return;
        while (_pending.TryPeek(out var next)
               && SlotRouter.ChooseAhead(_slots, next.PluginName, _runTimes.Depth(next.PluginName, _options.Worker), _options.Worker.MaxJobsPerWorker) is { } slot)
        {
            _pending.TryDequeue(out _);
            if (Send(slot, next))
                slot.Queued.Add(next);
        }
    }

    private void Run(Slot slot, JobRecord job)
    {
        if (!Send(slot, job))
            return;
        slot.State = WorkerState.Busy;
        Start(slot, job);
    }

    /// <summary>Sends the job to the slot's node, which runs it when it has ended the jobs it holds; false if it failed instead.</summary>
    private bool Send(Slot slot, JobRecord job)
    {
        string parameters;
        try
        {
            parameters = ExecuteParameters(job);
        }
        catch (Exception e)
        {
            job.Fail($"The execute request could not be prepared: {e.Message}", Now);
            EndJob(job, new JobFailed(job.Id, job.Error!));
            return false;
        }
        var target = job.Target!;
        var limit = Math.Min(_maxPayloadBytes, slot.MaxPayloadBytes);
        var bytes = WireLimits.Utf8Bytes(parameters, limit) + WireLimits.Utf8Bytes(target.ConfigJson, limit);
        if (bytes > limit)
        {
            // Akka.Remote would drop it and the job would wait for ever. The parameters passed on submit, so the hook's
            // request, the plugin's configuration or a node with a smaller frame than the manager's made it too large.
            job.Fail($"The job's execute request (its parameters as prepared for the node, and the plugin's configuration) is {bytes:N0} bytes, "
                + $"more than the {limit:N0} bytes one message to worker node {slot.WorkerId} can carry "
                + "(raise akka.remote.dot-netty.tcp.maximum-frame-size on the manager and its nodes).", Now);
            EndJob(job, new JobFailed(job.Id, job.Error!));
            return false;
        }
        slot.LastUsed = job.Sequence;
        var timeout = job.Options.Timeout ?? _options.Worker.JobTimeout;
        slot.Proxy!.Tell(new RunJob(job.Id, target.PluginName, parameters, Streams(job), target.ConfigJson, timeout));
        return true;
    }

    /// <summary>The slot's node has started the job (the first it holds).</summary>
    private void Start(Slot slot, JobRecord job)
    {
        job.MarkRunning(slot.WorkerId, slot.Pid!.Value, Streams(job), Now);
        RecordStart(job);
        slot.RunningJob = job;
        if (!slot.IsExternal)
            _resources.Running(slot.Pid.Value, job, job.Target!);
        Publish(new JobStarted(job.Id, job.PluginId, slot.WorkerId, slot.Pid.Value));
    }

    private bool Streams(JobRecord job) => job.Options.Stream && _options.SupportsStreaming;

    /// <summary>After a job's outcome: the node has started the next job it held, which is running now.</summary>
    private void StartQueued(Slot slot)
    {
        if (slot is { RunningJob: null, State: WorkerState.Busy, Queued.Count: > 0 })
        {
            var next = slot.Queued[0];
            slot.Queued.RemoveAt(0);
            Start(slot, next);
        }
    }

    private void StartSlot(Slot slot)
    {
        var request = new NodeLaunchRequest(slot.WorkerId, ManagerPath, [.. _options.ResolvedPluginAssemblies()]) { DirectManagerPath = DirectManagerPath };
        slot.Proxy = Context.Watch(Context.ActorOf(WorkerProxyActor.Props(slot.WorkerId, _launcher, request, _options.Worker), slot.WorkerId));
        slot.State = WorkerState.Starting;
    }

    /// <summary>
    /// After a job ends on a slot: replace the node if a recycling limit is reached, else the slot is idle again, or
    /// stays busy with the next job its node holds (started by <see cref="StartQueued"/> once the outcome is told).
    /// </summary>
    private void AfterJob(Slot slot)
    {
        slot.LoadedPlugin = slot.RunningJob?.PluginName;
        slot.RunningJob = null;
        slot.JobsOnNode++;
        var memoryMb = slot.MemoryBytes / (1024 * 1024);
        var recycle = slot.RecycleAfterQueued ?? _options.Worker switch
        {
            { MaxJobsPerWorker: { } most } when slot.JobsOnNode >= most => $"recycled after {slot.JobsOnNode} jobs (MaxJobsPerWorker = {most})",
            { MaxWorkerMemoryMb: { } limit } when memoryMb > limit => $"recycled at {memoryMb} MB (MaxWorkerMemoryMb = {limit})",
            _ => null,
        };
        if (slot.Queued.Count > 0)
        {
            // The jobs the node holds run first; nothing more is sent ahead to it meanwhile.
            slot.RecycleAfterQueued = recycle;
            return;
        }
        slot.RecycleAfterQueued = null;
        if (recycle is null)
        {
            slot.State = WorkerState.Idle; // told to the resource manager by ReportIdle, if no job follows at once
            return;
        }
        slot.State = WorkerState.Stopping;
        slot.Proxy!.Tell(new RecycleNode(recycle));
    }

    /// <summary>"idle" for the resource manager only when the slot has really no job (not between two jobs).</summary>
    private void ReportIdle(Slot slot)
    {
        if (slot is { IsExternal: false, State: WorkerState.Idle, Pid: { } pid })
            _resources.Idle(pid, slot.LoadedPlugin);
    }

    private void Handle(NodeHeartbeat heartbeat)
    {
        if (SlotOf(Sender) is { } slot)
            slot.MemoryBytes = heartbeat.MemoryBytes;
    }

    private string ManagerPath =>
        Self.Path.ToStringWithAddress(((ExtendedActorSystem)Context.System).Provider.DefaultAddress);

    /// <summary>This manager's path over Workers' direct transport, if its system runs it (hocon/manager.hocon).</summary>
    private string? DirectManagerPath =>
        ((ExtendedActorSystem)Context.System).Provider is IRemoteActorRefProvider remote
        && remote.Transport.Addresses.FirstOrDefault(address => address.Protocol == DirectTcpTransport.Protocol) is { } direct
            ? Self.Path.ToStringWithAddress(direct)
            : null;

    /// <summary>
    /// A proxy reported its node gone (told by the supervisor strategy before the directive takes effect). The job
    /// it was running ends here, with the reason, so no job outlives its node.
    /// </summary>
    private void Handle(SlotFaulted fault)
    {
        if (SlotOf(fault.Proxy) is not { } slot)
            return;
        if (slot.IsExternal)
        {
            DropExternalSlot(slot, fault.Cause);
            return;
        }
        var reason = SettleRunningJob(slot, fault.Cause);
        RequeueHeldJobs(slot);
        var failure = RestartDecider.IsFailure(fault.Cause);
        if (fault.Cause is WorkerRecycledException)
            _log.Info("Worker [{0}] (pid [{1}]) {2}", slot.WorkerId, slot.Pid, reason);
        else if (fault.Cause is WorkerException)
            _log.Warning("Worker [{0}] (pid [{1}]) is gone: {2}", slot.WorkerId, slot.Pid, reason);
        else
            _log.Error(fault.Cause, "Worker proxy [{0}] failed; restarting it with a fresh node", slot.WorkerId);
        if (slot.Pid is { } pid)
            Publish(new WorkerExited(slot.WorkerId, pid, reason));
        slot.Pid = null;
        slot.LoadedPlugin = null;

        if (failure && ++slot.ConsecutiveFailures > _options.Worker.MaxRestartAttempts)
        {
            GiveUp(slot, fault.Proxy, reason);
        }
        else if (fault.Directive == Directive.Restart)
        {
            slot.State = WorkerState.Starting;
            slot.Restarts++;
            if (fault.Cause is not WorkerRecycledException)
                Publish(new WorkerRestarting(slot.WorkerId, TimeSpan.Zero, failure ? slot.ConsecutiveFailures : 0));
        }
        else
        {
            slot.State = WorkerState.Stopping; // until Terminated frees the actor name
            if (failure && _options.Worker.RestartPolicy == RestartPolicy.Backoff)
                ScheduleRestart(slot);
        }
        Dispatch();
    }

    /// <summary>
    /// The jobs a lost node held but had not started go back to the queue, in their place (priority, then submission):
    /// only the running job is the restart policy's. One whose cancel was waiting on the node's answer is cancelled.
    /// </summary>
    private void RequeueHeldJobs(Slot slot)
    {
        foreach (var job in slot.Queued)
        {
            if (job.CancelRequesters is not null)
            {
                job.Cancel(Now);
                EndJob(job, new JobCancelled(job.Id));
            }
            else
            {
                _pending.Enqueue(job);
            }
        }
        slot.Queued.Clear();
        slot.RecycleAfterQueued = null;
    }

    /// <summary>
    /// The slot's node is gone: the job it was running ends here, cancelled if the kill was a cancel, else failed with
    /// the reason, so that no job outlives its node. Returns the reason.
    /// </summary>
    private string SettleRunningJob(Slot slot, Exception cause)
    {
        var reason = cause is WorkerException worker ? worker.Reason : $"worker proxy failed: {cause.Message}";
        if (slot.RunningJob is not { } job)
            return reason;
        if (cause is WorkerCancelledException)
        {
            job.Cancel(Now);
            EndJob(job, new JobCancelled(job.Id));
        }
        else
        {
            var error = cause is WorkerException { JobId: not null } ? reason : $"{reason} while running the job";
            job.Fail(error, Now);
            EndJob(job, new JobFailed(job.Id, error));
        }
        slot.RunningJob = null;
        return reason;
    }

    /// <summary>Backoff: the slot starts again after min(base · 2^n, max), and not on demand before that.</summary>
    private void ScheduleRestart(Slot slot)
    {
        var delay = RestartDecider.BackoffDelay(_options.Worker.RestartBackoffBase, _options.Worker.RestartBackoffMax, slot.ConsecutiveFailures);
        slot.Restart = SlotRestart.Scheduled;
        Timers.StartSingleTimer($"restart-{slot.WorkerId}", new RestartSlot(slot.WorkerId), delay);
        Publish(new WorkerRestarting(slot.WorkerId, delay, slot.ConsecutiveFailures));
    }

    private void Handle(RestartSlot restart)
    {
        if (_slots.Find(slot => slot.WorkerId == restart.WorkerId) is not { Restart: SlotRestart.Scheduled } slot)
            return;
        slot.Restart = SlotRestart.None;
        if (slot.State == WorkerState.NotStarted)
            StartAfterBackoff(slot);
        else
            slot.Restart = SlotRestart.Due; // the old proxy is still stopping: start when it is gone
    }

    private void StartAfterBackoff(Slot slot)
    {
        slot.Restart = SlotRestart.None;
        slot.Restarts++;
        StartSlot(slot);
    }

    /// <summary>
    /// The slot spent its failure budget: it takes no more jobs. When no slot can run jobs any more, the pending
    /// jobs fail now rather than wait for ever.
    /// </summary>
    private void GiveUp(Slot slot, IActorRef proxy, string reason)
    {
        var why = $"{slot.ConsecutiveFailures} consecutive failures (MaxRestartAttempts = {_options.Worker.MaxRestartAttempts}); last: {reason}";
        _log.Error("Worker [{0}] failed for good after {1}", slot.WorkerId, why);
        Context.Unwatch(proxy);
        Context.Stop(proxy);
        slot.Proxy = null;
        slot.State = WorkerState.Failed;
        Publish(new WorkerFailed(slot.WorkerId, why));
        if (NoSlotCanRunJobs)
        {
            while (_pending.TryDequeue(out var job))
            {
                var error = $"No worker can run jobs: {why}";
                job.Fail(error, Now);
                EndJob(job, new JobFailed(job.Id, error));
            }
        }
    }

    /// <summary>Every spawned slot has failed for good, and no external node may register to take over.</summary>
    private bool NoSlotCanRunJobs => _nodeToken is null && _slots.All(slot => slot.State == WorkerState.Failed);

    /// <summary>
    /// Graceful stop (a CoordinatedShutdown task): no new jobs, every node is asked to exit and killed if it has not
    /// within <see cref="WorkerConfig.ShutdownTimeout"/>. Without a job store, running and pending jobs end now with a
    /// reason. With one, they outlive the manager: pending jobs run after the next start, and a running job is
    /// re-queued or failed then, as <see cref="JobStoreOptions.RecoverRunningJobs"/> says; the stop waits until the
    /// store has every event.
    /// </summary>
    private void Handle(StopAllNodes _)
    {
        _stopping = true;
        var failRunning = !Journaled || _options.Store.RecoverRunningJobs == RecoverRunningJobs.Fail;
        foreach (var slot in _slots)
        {
            if (slot.RunningJob is { } job && failRunning)
            {
                job.Fail("The job manager shut down while the job was running.", Now);
                EndJob(job, new JobFailed(job.Id, job.Error!));
            }
            slot.RunningJob = null;
            // Jobs sent ahead are pending: with a job store they wait for the next start like the queued ones.
            foreach (var held in slot.Queued.Where(_ => !Journaled))
            {
                held.Fail("The job manager shut down before the job could run.", Now);
                EndJob(held, new JobFailed(held.Id, held.Error!));
            }
            slot.Queued.Clear();
            if (slot.Pid is { } pid)
                Publish(new WorkerExited(slot.WorkerId, pid, "the job manager shut down"));
            slot.Pid = null;
            slot.State = WorkerState.Stopping;
        }
        while (!Journaled && _pending.TryDequeue(out var pending))
        {
            pending.Fail("The job manager shut down before the job could run.", Now);
            EndJob(pending, new JobFailed(pending.Id, pending.Error!));
        }
        var timeout = _options.Worker.ShutdownTimeout + TimeSpan.FromSeconds(1);
        var stops = _slots.Where(slot => slot.Proxy is not null)
            .Select(slot => (Task)slot.Proxy!.Ask<Done>(StopNode.Instance, timeout))
            .Append(FlushStore(timeout))
            .ToList();
        Task.WhenAll(stops).ContinueWith(_ => Done.Instance, TaskScheduler.Default).PipeTo(Sender);
    }

    private sealed record RestartSlot(string WorkerId) : INoSerializationVerificationNeeded;

    private sealed class RefillSpares : INoSerializationVerificationNeeded
    {
        public static readonly RefillSpares Instance = new();
    }

    private sealed class StopAllNodes : INoSerializationVerificationNeeded
    {
        public static readonly StopAllNodes Instance = new();
    }

    private sealed record SlotFaulted(IActorRef Proxy, Exception Cause, Directive Directive) : INoSerializationVerificationNeeded;

}
