using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Workers.Actors.Proxy;

namespace Workers.Actors;

// Plugin commands: reload and unload on every running node, each node's reply correlated by its own ask.
public sealed partial class JobManagerActor
{
    private int _pluginCommandsInFlight;

    private void Handle(ReloadPlugin reload)
    {
        if (RefusePluginCommand(reload.PluginName))
            return;
        var configJson = reload.Config.ValueKind == JsonValueKind.Object ? reload.Config.GetRawText() : "{}";
        SendToNodes(reload.PluginName, configJson, id => new NodeReloadPlugin(id, reload.PluginName, configJson), _options.Worker.ReloadTimeout);
    }

    private void Handle(UnloadPlugin unload)
    {
        if (RefusePluginCommand(unload.PluginName))
            return;
        SendToNodes(unload.PluginName, configJson: null, id => new NodeUnloadPlugin(id, unload.PluginName), _options.Worker.UnloadTimeout);
    }

    private bool RefusePluginCommand(string pluginName)
    {
        var error = !_plugins.Contains(pluginName)
            ? $"Unknown plugin \"{pluginName}\". Known plugins: {string.Join(", ", _plugins.Order())}."
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
    /// <param name="configJson">the new configuration of a reload, kept once every node took it; null for an unload</param>
    private void SendToNodes(string pluginName, string? configJson, Func<long, IWorkerWireMessage> command, TimeSpan timeout)
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
        _pluginCommandsInFlight++;
        Task.WhenAll(asks).PipeTo(Self, success: replies => new PluginCommandsDone(replyTo, pluginName, configJson, [.. replies]));
    }

    private void Handle(PluginCommandsDone done)
    {
        _pluginCommandsInFlight--;
        var failures = done.Replies.Where(reply => !reply.Success).Select(reply => reply.Error).ToList();
        var success = failures.Count == 0;
        var unload = done.ConfigJson is null;
        if (success && !unload)
            _pluginConfigs[done.PluginName] = done.ConfigJson!; // only a configuration that loaded is given to later nodes
        foreach (var slot in _slots)
        {
            if (unload && slot.LoadedPlugin == done.PluginName)
                slot.LoadedPlugin = null;
            else if (!unload && success && slot.State == WorkerState.Idle)
                slot.LoadedPlugin = done.PluginName;
        }
        done.ReplyTo.Tell(new PluginCommandResult(done.PluginName, success, success ? null : string.Join("; ", failures)));
    }

    private sealed record PluginCommandsDone(IActorRef ReplyTo, string PluginName, string? ConfigJson, ImmutableArray<NodePluginCommandReply> Replies)
        : INoSerializationVerificationNeeded;
}
