using System.Collections.Immutable;
using Akka.Actor;

namespace Workers.Actors;

/// <summary>
/// Marks every message that crosses the process boundary between a manager and a worker node. The Hyperion
/// serializer is bound to this interface only (see hocon/), so nothing else can travel by accident.
/// Payloads travel as UTF-8 JSON text, never as object graphs.
/// </summary>
public interface IWorkerWireMessage;

// node → manager

/// <summary>
/// A node announces itself (sent to the manager actor, which hands it to the slot's proxy). <paramref name="MaxFrameBytes"/>
/// is the largest message the node's transport takes (its <c>maximum-frame-size</c>; 0: not said): the manager sends
/// it nothing larger.
/// </summary>
public sealed record RegisterWorker(
    string WorkerId,
    IActorRef Worker,
    int Pid,
    ImmutableArray<string> Plugins,
    string? Token,
    long MaxFrameBytes = 0) : IWorkerWireMessage;

/// <summary>A batch of consecutive chunks of one job, starting at <paramref name="FirstSequence"/>.</summary>
public sealed record NodeChunks(string JobId, long FirstSequence, ImmutableArray<string> Texts) : IWorkerWireMessage;

public sealed record NodeProgress(string JobId, double Fraction, string? Message) : IWorkerWireMessage;

/// <summary>
/// The job finished. <paramref name="ResultJson"/> is null for a streamed job: its result is the streamed text.
/// <paramref name="MemoryBytes"/> is the node's memory right after the job, for recycling (0: not measured).
/// </summary>
public sealed record NodeJobSucceeded(string JobId, string? ResultJson, long ChunkCount, long MemoryBytes = 0) : IWorkerWireMessage;

public sealed record NodeJobFailed(string JobId, string Error, long MemoryBytes = 0) : IWorkerWireMessage;

/// <summary>
/// The outcomes (<see cref="NodeJobSucceeded"/>, <see cref="NodeJobFailed"/>) of consecutive jobs that ended in quick
/// succession, in the order they ran: one message instead of one per job. Taken as if each had come alone, in order.
/// </summary>
public sealed record NodeJobsEnded(ImmutableArray<IWorkerWireMessage> Outcomes) : IWorkerWireMessage;

/// <summary>The node is alive; sent every heartbeat interval and before each job outcome.</summary>
public sealed record NodeHeartbeat(long MemoryBytes) : IWorkerWireMessage;

/// <summary>
/// The answer to <see cref="CancelQueuedJob"/>: <paramref name="Removed"/> when the node had the job in its queue and
/// dropped it; false when it had already started it (or ended it).
/// </summary>
public sealed record QueuedJobCancelled(string JobId, bool Removed) : IWorkerWireMessage;

public sealed record NodePluginCommandReply(long CorrelationId, string PluginName, bool Success, string? Error) : IWorkerWireMessage;

// manager → node

/// <summary>The manager took the node into slot <paramref name="WorkerId"/>; it should send a heartbeat every <paramref name="HeartbeatInterval"/>.</summary>
/// <paramref name="MaxFrameBytes"/> is the largest message the manager's transport takes (0: not said): the node sends it
/// no result, chunk or batch larger.
public sealed record WorkerRegistered(string WorkerId, TimeSpan HeartbeatInterval, long MaxFrameBytes = 0) : IWorkerWireMessage;

/// <summary>
/// The manager refused the node. <paramref name="TokenRejected"/> is true when the node's token was missing or wrong
/// (the node exits with its own code, so that an operator's supervisor does not restart a misconfigured node for ever).
/// </summary>
public sealed record WorkerRegistrationRefused(string WorkerId, string Reason, bool TokenRejected = false) : IWorkerWireMessage;

/// <summary>Runs one job. <paramref name="ConfigJson"/> is the plugin's configuration, used if the plugin is not loaded yet.</summary>
public sealed record ExecuteJob(
    string JobId,
    string PluginId,
    string ParametersJson,
    bool Stream,
    string ConfigJson,
    int ChunkWindow) : IWorkerWireMessage;

/// <summary>
/// Jobs sent ahead together to a busy node, in the order it runs them: one message instead of one per job. Taken as if
/// each had come alone, in order.
/// </summary>
public sealed record ExecuteJobs(ImmutableArray<ExecuteJob> Jobs) : IWorkerWireMessage;

/// <summary>
/// Drops a job the node holds in its queue behind the running one (it was sent ahead, see WorkerConfig.PipelineDepth),
/// without touching the running job. Sent after the job's <see cref="ExecuteJob"/>; answered with <see cref="QueuedJobCancelled"/>.
/// </summary>
public sealed record CancelQueuedJob(string JobId) : IWorkerWireMessage;

/// <summary>The manager has taken <paramref name="Count"/> more chunks of the job: the node may send that many more.</summary>
public sealed record ChunksAck(string JobId, int Count) : IWorkerWireMessage;

public sealed record NodeReloadPlugin(long CorrelationId, string PluginName, string ConfigJson) : IWorkerWireMessage;

public sealed record NodeUnloadPlugin(long CorrelationId, string PluginName) : IWorkerWireMessage;

/// <summary>
/// Loads a plugin with <paramref name="ConfigJson"/> unless the node has it loaded so already, leaving the other plugins
/// loaded (unlike <see cref="NodeReloadPlugin"/>). Sent when a node registers, for each configured plugin (see
/// <see cref="WorkerConfig.LoadPluginsOnStart"/>), ahead of its first job; answered with <see cref="NodePluginCommandReply"/>.
/// </summary>
public sealed record NodeLoadPlugin(long CorrelationId, string PluginName, string ConfigJson) : IWorkerWireMessage;

/// <summary>Asks the node to finish and exit.</summary>
public sealed class StopWorkerNode : IWorkerWireMessage
{
    public static readonly StopWorkerNode Instance = new();
    private StopWorkerNode() { }
}
