using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Manager;
using Workers.Actors.Proxy;

namespace Workers.Actors;

// Plugin commands: reload and unload on every running node, each node's reply correlated by its own ask.
public sealed partial class JobManagerActor
{
    private int _pluginCommandsInFlight;

    /// <summary>
    /// The loads at a node's start not answered yet, by correlation id: the slot they are for. A slot's next node
    /// replaces its entries, so that a node gone before answering leaves none behind.
    /// </summary>
    private readonly Dictionary<long, string> _startLoads = [];

    private void Handle(ReloadPlugin reload)
    {
        if (RefusePluginCommand(reload.PluginName))
            return;
        var configJson = reload.Config.ValueKind == JsonValueKind.Object ? reload.Config.GetRawText() : "{}";
        // Jobs dispatched from now on carry the new configuration (a node loaded otherwise would load it back);
        // if a node refuses it, the previous one is restored.
        _pluginConfigs.TryGetValue(reload.PluginName, out var previous);
        _pluginConfigs[reload.PluginName] = configJson;
        SendToNodes(reload.PluginName, new ConfigChange(configJson, previous), id => new NodeReloadPlugin(id, reload.PluginName, configJson), _options.Worker.ReloadTimeout);
    }

    private void Handle(UnloadPlugin unload)
    {
        if (RefusePluginCommand(unload.PluginName))
            return;
        SendToNodes(unload.PluginName, change: null, id => new NodeUnloadPlugin(id, unload.PluginName), _options.Worker.UnloadTimeout);
    }

    private bool RefusePluginCommand(string pluginName)
    {
        var error = !_resolver.NodePlugins.Contains(pluginName)
            ? $"Unknown plugin \"{pluginName}\". Known plugins: {string.Join(", ", _resolver.NodePlugins.Order())}."
            : _pluginCommandsInFlight >= _options.Worker.ResponseQueueSize
                ? $"{_pluginCommandsInFlight} plugin commands are still waiting for their nodes (WorkerConfig.ResponseQueueSize = {_options.Worker.ResponseQueueSize}). Retry later."
                : null;
        if (error is not null)
            Sender.Tell(new PluginCommandResult(pluginName, false, error));
        return error is not null;
    }

    /// <summary>
    /// Sends a plugin command to every running node; a node that is running a job answers after it. Each ask has its
    /// own temporary reply actor, so a reply that comes after its timeout is dropped and can never be taken for the
    /// answer to a later command.
    /// </summary>
    /// <param name="change">the configuration a reload sets, and the one it replaces; null for an unload</param>
    private void SendToNodes(string pluginName, ConfigChange? change, Func<long, IWorkerWireMessage> command, TimeSpan timeout)
    {
        var replyTo = Sender;
        var asks = _slots
            .Where(slot => slot is { State: WorkerState.Idle or WorkerState.Busy, Proxy: not null })
            .Select(slot =>
            {
                var id = ++_nextCorrelationId;
                var (workerId, pid) = (slot.WorkerId, slot.Pid!.Value);
                return slot.Proxy!.Ask<NodePluginCommandReply>(new SlotPluginCommand(command(id), id, pluginName, timeout), timeout)
                    .ContinueWith(ask => new NodeReply(pid, ask.IsCompletedSuccessfully
                        ? ask.Result with { Error = ask.Result.Error is null ? null : $"{workerId}: {ask.Result.Error}" }
                        : new NodePluginCommandReply(id, pluginName, false, $"{workerId}: no reply within {timeout}")),
                        TaskScheduler.Default);
            })
            .ToList();
        _pluginCommandsInFlight++;
        Task.WhenAll(asks).PipeTo(Self, success: replies => new PluginCommandsDone(replyTo, pluginName, change, [.. replies]));
    }

    private void Handle(PluginCommandsDone done)
    {
        _pluginCommandsInFlight--;
        var failures = done.Replies.Where(node => !node.Reply.Success).Select(node => node.Reply.Error).ToList();
        var success = failures.Count == 0;
        var unload = done.Change is null;
        foreach (var node in done.Replies.Where(node => node.Reply.Success))
        {
            // A node answers after its running job; by now it may run the next one, which is what it is doing.
            if (_slots.Find(slot => slot.Pid == node.Pid) is { RunningJob: { Target: { } target } job })
                _resources.Running(node.Pid, job, target);
            else if (unload)
                _resources.Unloaded(node.Pid);
            else
                _resources.Reloaded(node.Pid, done.PluginName, done.Change!.ConfigJson);
        }
        if (!success && done.Change is { } change && _pluginConfigs.GetValueOrDefault(done.PluginName) == change.ConfigJson)
        {
            // A configuration that did not load is not given to later nodes.
            if (change.Previous is null)
                _pluginConfigs.Remove(done.PluginName);
            else
                _pluginConfigs[done.PluginName] = change.Previous;
        }
        foreach (var slot in _slots)
        {
            if (unload && slot.LoadedPlugin == done.PluginName)
                slot.LoadedPlugin = null;
            else if (!unload && success && slot.State == WorkerState.Idle)
                slot.LoadedPlugin = done.PluginName;
        }
        done.ReplyTo.Tell(new PluginCommandResult(done.PluginName, success, success ? null : string.Join("; ", failures)));
    }

    /// <summary>
    /// A node that has just registered loads the configured plugins (WorkerConfig.LoadPluginsOnStart) before anything
    /// else: the commands reach it through its proxy ahead of any job dispatched after this, and it runs what it holds
    /// in order. The slot's loaded plugin stays unknown, as the original library's workers leave it after their start,
    /// until a job or a reload names one.
    /// </summary>
    private void LoadConfiguredPlugins(Slot slot)
    {
        foreach (var (earlier, _) in _startLoads.Where(load => load.Value == slot.WorkerId).ToList())
            _startLoads.Remove(earlier);
        if (!_options.Worker.LoadPluginsOnStart || slot.Proxy is not { } proxy)
            return;
        IReadOnlyList<PluginTarget> targets;
        try
        {
            targets = _resolver.Configured(_options.Category, _pluginConfigs, slot.Plugins, (pluginId, e) =>
                _log.Warning("Worker [{0}] does not load plugin [{1}] when it starts: the plugin registry failed ({2})", slot.WorkerId, pluginId, e.Message));
        }
        catch (Exception e)
        {
            _log.Warning("Worker [{0}] loads its plugins on their first jobs: the plugin registry failed to list them ({1})", slot.WorkerId, e.Message);
            return;
        }
        foreach (var target in targets)
        {
            var id = ++_nextCorrelationId;
            _startLoads[id] = slot.WorkerId;
            // Told, not asked: the node answers this actor, and a load has no time limit (a model may take minutes).
            var load = new NodeLoadPlugin(id, target.PluginName, target.ConfigJson);
            proxy.Tell(new SlotPluginCommand(load, id, target.PluginName, Timeout.InfiniteTimeSpan));
        }
    }

    /// <summary>The answer to a load at a node's start; a job of a plugin that failed to load tries again, and fails with its error.</summary>
    private void Handle(NodePluginCommandReply reply)
    {
        if (_startLoads.Remove(reply.CorrelationId, out var workerId) && !reply.Success)
            _log.Warning("Worker [{0}] could not load plugin [{1}] when it started: {2}. Its jobs will load it again.", workerId, reply.PluginName, reply.Error);
    }

    private sealed record NodeReply(int Pid, NodePluginCommandReply Reply);

    private sealed record ConfigChange(string ConfigJson, string? Previous);

    private sealed record PluginCommandsDone(IActorRef ReplyTo, string PluginName, ConfigChange? Change, ImmutableArray<NodeReply> Replies)
        : INoSerializationVerificationNeeded;
}
