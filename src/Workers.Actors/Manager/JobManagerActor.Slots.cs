using Akka;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Launching;
using Workers.Actors.Manager;
using Workers.Actors.Proxy;

namespace Workers.Actors;

// The slot side of the manager: handing pending jobs to idle slots, starting nodes on demand, settling a
// slot's job when its node is gone, and plugin commands sent to every node.
public sealed partial class JobManagerActor
{
    /// <summary>Gives pending jobs to idle slots (priority, then FIFO) and starts nodes for the jobs left waiting.</summary>
    private void Dispatch()
    {
        if (_stopping)
            return;
        while (_pending.Count > 0 && Array.Find(_slots, slot => slot.State == WorkerState.Idle) is { } idle)
        {
            if (_pending.TryDequeue(out var job))
                Run(idle, job);
        }

        var waiting = _pending.Count - _slots.Count(slot => slot.State == WorkerState.Starting);
        foreach (var slot in _slots.Where(slot => slot.State == WorkerState.NotStarted).Take(Math.Max(0, waiting)))
            StartSlot(slot);
    }

    private void Run(Slot slot, JobRecord job)
    {
        var stream = job.Options.Stream && _options.SupportsStreaming;
        job.MarkRunning(slot.WorkerId, slot.Pid!.Value, stream, Now);
        slot.State = WorkerState.Busy;
        slot.RunningJob = job;
        slot.Proxy!.Tell(new RunJob(job.Id, job.PluginId, job.ParametersJson!, stream, _pluginConfigs.GetValueOrDefault(job.PluginId, "{}")));
        Publish(new JobStarted(job.Id, job.PluginId, slot.WorkerId, slot.Pid.Value));
    }

    private void StartSlot(Slot slot)
    {
        var request = new NodeLaunchRequest(slot.WorkerId, ManagerPath, [.. _options.ResolvedPluginAssemblies()]);
        slot.Proxy = Context.Watch(Context.ActorOf(WorkerProxyActor.Props(slot.WorkerId, _launcher, request, _options.Worker), slot.WorkerId));
        slot.State = WorkerState.Starting;
    }

    private string ManagerPath =>
        Self.Path.ToStringWithAddress(((ExtendedActorSystem)Context.System).Provider.DefaultAddress);

    /// <summary>
    /// A proxy reported its node gone (told by the supervisor strategy before the directive takes effect). The job
    /// it was running ends here, with the reason, so no job outlives its node.
    /// </summary>
    private void Handle(SlotFaulted fault)
    {
        if (SlotOf(fault.Proxy) is not { } slot)
            return;
        var reason = fault.Cause is WorkerException worker ? worker.Reason : $"worker proxy failed: {fault.Cause.Message}";
        if (slot.RunningJob is { } job)
        {
            if (fault.Cause is WorkerCancelledException)
            {
                job.Cancel(Now);
                EndJob(job, new JobCancelled(job.Id));
            }
            else
            {
                var error = fault.Cause is WorkerException { JobId: not null } ? reason : $"{reason} while running the job";
                job.Fail(error, Now);
                EndJob(job, new JobFailed(job.Id, error));
            }
            slot.RunningJob = null;
        }
        if (fault.Cause is WorkerException)
            _log.Warning("Worker [{0}] (pid [{1}]) is gone: {2}", slot.WorkerId, slot.Pid, reason);
        else
            _log.Error(fault.Cause, "Worker proxy [{0}] failed; restarting it with a fresh node", slot.WorkerId);
        if (slot.Pid is { } pid)
            Publish(new WorkerExited(slot.WorkerId, pid, reason));
        slot.Pid = null;
        slot.LoadedPlugin = null;
        if (fault.Cause is not WorkerCancelledException && ++slot.ConsecutiveFailures > _options.Worker.MaxRestartAttempts)
        {
            GiveUp(slot, fault.Proxy, reason);
        }
        else if (fault.Directive == Directive.Restart)
        {
            slot.State = WorkerState.Starting;
            slot.Restarts++;
        }
        else
        {
            slot.State = WorkerState.Stopping; // until Terminated frees the actor name
        }
        Dispatch();
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

    private bool NoSlotCanRunJobs => _slots.All(slot => slot.State == WorkerState.Failed);

    /// <summary>
    /// Graceful stop (a CoordinatedShutdown task): no new jobs, running and pending jobs end with a reason, every
    /// node is asked to exit and killed if it has not within <see cref="WorkerConfig.ShutdownTimeout"/>.
    /// </summary>
    private void Handle(StopAllNodes _)
    {
        _stopping = true;
        foreach (var slot in _slots)
        {
            if (slot.RunningJob is { } job)
            {
                job.Fail("The job manager shut down while the job was running.", Now);
                EndJob(job, new JobFailed(job.Id, job.Error!));
                slot.RunningJob = null;
            }
        }
        while (_pending.TryDequeue(out var pending))
        {
            pending.Fail("The job manager shut down before the job could run.", Now);
            EndJob(pending, new JobFailed(pending.Id, pending.Error!));
        }
        var timeout = _options.Worker.ShutdownTimeout + TimeSpan.FromSeconds(1);
        var stops = _slots.Where(slot => slot.Proxy is not null)
            .Select(slot => slot.Proxy!.Ask<Done>(StopNode.Instance, timeout))
            .ToList();
        Task.WhenAll(stops).ContinueWith(_ => Done.Instance, TaskScheduler.Default).PipeTo(Sender);
    }

    private void Handle(ReloadPlugin reload)
    {
        if (!_plugins.Contains(reload.PluginName))
        {
            Sender.Tell(new PluginCommandResult(reload.PluginName, false, $"Unknown plugin \"{reload.PluginName}\"."));
            return;
        }
        var configJson = reload.Config.ValueKind == System.Text.Json.JsonValueKind.Object ? reload.Config.GetRawText() : "{}";
        _pluginConfigs[reload.PluginName] = configJson;
        SendToNodes(reload.PluginName, unload: false, id => new NodeReloadPlugin(id, reload.PluginName, configJson), _options.Worker.ReloadTimeout);
    }

    private void Handle(UnloadPlugin unload)
    {
        if (!_plugins.Contains(unload.PluginName))
        {
            Sender.Tell(new PluginCommandResult(unload.PluginName, false, $"Unknown plugin \"{unload.PluginName}\"."));
            return;
        }
        SendToNodes(unload.PluginName, unload: true, id => new NodeUnloadPlugin(id, unload.PluginName), _options.Worker.UnloadTimeout);
    }

    /// <summary>
    /// Sends a plugin command to every running node. Each ask has its own temporary reply actor, so a reply that
    /// comes after its timeout is dropped and can never be taken for the answer to a later command.
    /// </summary>
    private void SendToNodes(string pluginName, bool unload, Func<long, IWorkerWireMessage> command, TimeSpan timeout)
    {
        var replyTo = Sender;
        var asks = _slots
            .Where(slot => slot is { State: WorkerState.Idle or WorkerState.Busy, Proxy: not null })
            .Select(slot =>
            {
                var id = ++_nextCorrelationId;
                var workerId = slot.WorkerId;
                return slot.Proxy!.Ask<NodePluginCommandReply>(new SlotPluginCommand(command(id), id, pluginName, timeout), timeout)
                    .ContinueWith(ask => ask.IsCompletedSuccessfully
                        ? ask.Result with { Error = ask.Result.Error is null ? null : $"{workerId}: {ask.Result.Error}" }
                        : new NodePluginCommandReply(id, pluginName, false, $"{workerId}: no reply within {timeout}"),
                        TaskScheduler.Default);
            })
            .ToList();
        Task.WhenAll(asks).PipeTo(Self, success: replies => new PluginCommandsDone(replyTo, pluginName, unload, [.. replies]));
    }

    private void Handle(PluginCommandsDone done)
    {
        var failures = done.Replies.Where(reply => !reply.Success).Select(reply => reply.Error).ToList();
        foreach (var slot in _slots)
        {
            if (done.Unload && slot.LoadedPlugin == done.PluginName)
                slot.LoadedPlugin = null;
            else if (!done.Unload && slot.State == WorkerState.Idle && failures.Count == 0)
                slot.LoadedPlugin = done.PluginName;
        }
        done.ReplyTo.Tell(new PluginCommandResult(done.PluginName, failures.Count == 0, failures.Count == 0 ? null : string.Join("; ", failures)));
    }

    private sealed class StopAllNodes : INoSerializationVerificationNeeded
    {
        public static readonly StopAllNodes Instance = new();
    }

    private sealed record SlotFaulted(IActorRef Proxy, Exception Cause, Directive Directive) : INoSerializationVerificationNeeded;

    private sealed record PluginCommandsDone(IActorRef ReplyTo, string PluginName, bool Unload, ImmutableArray<NodePluginCommandReply> Replies)
        : INoSerializationVerificationNeeded;
}
