using System.Text.Json;
using Akka.Actor;

namespace Workers.Actors;

// Commands to JobManagerActor and their replies. Each command is answered to its sender.

/// <summary>
/// Submits a job. <paramref name="Parameters"/> must be a JSON object (or undefined/null for none).
/// Answered with <see cref="JobAccepted"/> or <see cref="JobRejected"/>.
/// </summary>
public sealed record StartJob(string PluginId, JsonElement Parameters, JobOptions? Options = null);

public sealed record JobAccepted(JobSnapshot Job);

/// <summary>The job was not accepted; <paramref name="Reason"/> says why and what to do about it.</summary>
/// <param name="Kind">What kind of refusal it is, for callers that answer differently (an HTTP API's 400, 429, 503).</param>
public sealed record JobRejected(string Reason, JobRejectionKind Kind = JobRejectionKind.Invalid);

public enum JobRejectionKind
{
    /// <summary>The submission cannot run as it is: unknown plugin, bad parameters, a reused id, a failed validation.</summary>
    Invalid,

    /// <summary>The queue is full (<see cref="WorkerConfig.RequestQueueSize"/>): retry later.</summary>
    QueueFull,

    /// <summary>The manager is shutting down, or no worker slot can run jobs any more.</summary>
    Unavailable,
}

/// <summary>Cancels a pending job (removed from the queue) or a running one (its node process is killed).</summary>
public sealed record CancelJob(string JobId);

public sealed record CancelJobResult(string JobId, bool Cancelled, string? Reason);

public sealed record GetJob(string JobId);

public sealed record JobInfo(JobSnapshot? Job);

public sealed class GetAllJobs
{
    public static readonly GetAllJobs Instance = new();
    private GetAllJobs() { }
}

/// <summary>Every job the manager knows, in creation order.</summary>
public sealed record AllJobs(IReadOnlyList<JobSnapshot> Jobs);

/// <summary>Forgets every completed, failed and cancelled job.</summary>
public sealed class ClearCompletedJobs
{
    public static readonly ClearCompletedJobs Instance = new();
    private ClearCompletedJobs() { }
}

public sealed record CompletedJobsCleared(int Count);

/// <summary>Loads (or reloads) a plugin with a new configuration on every running node; later nodes load it with that configuration too.</summary>
public sealed record ReloadPlugin(string PluginName, JsonElement Config);

/// <summary>Unloads a plugin on every running node, freeing its resources.</summary>
public sealed record UnloadPlugin(string PluginName);

public sealed record PluginCommandResult(string PluginName, bool Success, string? Error);

/// <summary>
/// Subscribes an actor to the events of one job, or of all jobs and workers when <paramref name="JobId"/> is null.
/// A subscriber that terminates is removed.
/// </summary>
/// <param name="AckWindow">
/// Null (default): events are sent as they happen; a subscriber slower than a stream lets its own mailbox grow.
/// A number: flow control. The subscriber answers <see cref="AckJobEvents"/> for the events it has handled, and
/// while more than this many are unacknowledged the manager holds back streaming nodes (their plugins wait), so
/// neither the manager nor the subscriber buffers without limit.
/// </param>
public sealed record SubscribeToJobEvents(IActorRef Subscriber, string? JobId = null, int? AckWindow = null);

/// <summary>A flow-controlled subscriber has handled <paramref name="Count"/> more events (see <see cref="SubscribeToJobEvents.AckWindow"/>).</summary>
public sealed record AckJobEvents(IActorRef Subscriber, int Count = 1);

public sealed record SubscribedToJobEvents(string? JobId);

/// <summary>Removes every subscription of the actor.</summary>
public sealed record UnsubscribeFromJobEvents(IActorRef Subscriber);

public sealed class UnsubscribedFromJobEvents
{
    public static readonly UnsubscribedFromJobEvents Instance = new();
    private UnsubscribedFromJobEvents() { }
}

public sealed class GetWorkers
{
    public static readonly GetWorkers Instance = new();
    private GetWorkers() { }
}

public sealed record WorkersInfo(IReadOnlyList<WorkerSnapshot> Workers);
