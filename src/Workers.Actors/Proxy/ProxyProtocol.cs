using Akka;
using System.Collections.Immutable;
using Akka.Actor;

namespace Workers.Actors.Proxy;

// Messages between a JobManagerActor and its WorkerProxyActors: in-process only.

/// <summary>Run a job on the slot's node: at once if the node is idle, else after the jobs it already holds.</summary>
internal sealed record RunJob(string JobId, string PluginId, string ParametersJson, bool Stream, string ConfigJson, TimeSpan? Timeout)
    : INoSerializationVerificationNeeded;

/// <summary>
/// Cancel this job on the slot: kill the node if, and only if, it is running this job; drop it from the node's queue
/// (answered with <see cref="QueuedJobCancelled"/>) if it waits there; nothing if it has ended.
/// </summary>
internal sealed record CancelRunningJob(string JobId) : INoSerializationVerificationNeeded;

/// <summary>The slot's node registered and is idle.</summary>
internal sealed record SlotReady(int Pid, ImmutableArray<string> Plugins, long MaxPayloadBytes = long.MaxValue) : INoSerializationVerificationNeeded;

/// <summary>A plugin command for the slot's node; answered with <see cref="NodePluginCommandReply"/> or a timeout reply.</summary>
internal sealed record SlotPluginCommand(IWorkerWireMessage Command, long CorrelationId, string PluginName, TimeSpan Timeout)
    : INoSerializationVerificationNeeded;

/// <summary>Stop the node gracefully (then kill it after the shutdown timeout) and stop; answered with <see cref="Done"/>.</summary>
internal sealed class StopNode : INoSerializationVerificationNeeded
{
    public static readonly StopNode Instance = new();
}

/// <summary>Replace the idle node with a fresh one (recycling limits); the reason goes into <see cref="WorkerExited"/>.</summary>
internal sealed record RecycleNode(string Reason) : INoSerializationVerificationNeeded;
