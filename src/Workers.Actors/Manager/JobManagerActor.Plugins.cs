using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Workers.Actors.Proxy;

namespace Workers.Actors;

// Plugin commands: reload and unload on every running node, each node's reply correlated by its own ask.
public sealed partial class JobManagerActor
{
    private void Handle(ReloadPlugin reload)
    {
        if (!_plugins.Contains(reload.PluginName))
        {
            Sender.Tell(new PluginCommandResult(reload.PluginName, false, $"Unknown plugin \"{reload.PluginName}\"."));
            return;
        }
        var configJson = reload.Config.ValueKind == JsonValueKind.Object ? reload.Config.GetRawText() : "{}";
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

    private sealed record PluginCommandsDone(IActorRef ReplyTo, string PluginName, bool Unload, ImmutableArray<NodePluginCommandReply> Replies)
        : INoSerializationVerificationNeeded;
}
