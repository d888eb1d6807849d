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
public sealed record JobRejected(string Reason);

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
public sealed record SubscribeToJobEvents(IActorRef Subscriber, string? JobId = null);

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
