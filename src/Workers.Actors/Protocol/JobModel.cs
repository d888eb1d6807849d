using System.Collections.Immutable;
using System.Text.Json;

namespace Workers.Actors;

/// <summary>The life of a job: Pending → Running → Completed | Failed | Cancelled. Terminal states never change.</summary>
public enum JobStatus
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>Options of one job. Every property is optional.</summary>
public sealed record JobOptions
{
    /// <summary>Stream partial output as <see cref="JobChunk"/> events (default false).</summary>
    public bool Stream { get; init; }

    /// <summary>Higher runs first; equal priorities run in submission order (default 0).</summary>
    public int Priority { get; init; }

    /// <summary>Longest run time before the node is killed and the job failed; null uses <see cref="WorkerConfig.JobTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A caller-chosen id. Submitting the same id again returns the existing job instead of a new one.</summary>
    public string? JobId { get; init; }

    /// <summary>Free-form data kept with the job and returned in its snapshot.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>An immutable view of a job at one moment.</summary>
public sealed record JobSnapshot(
    string Id,
    string PluginId,
    JobStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    JsonElement? Result,
    string? Error,
    IReadOnlyDictionary<string, string> Metadata,
    string? WorkerId,
    int? WorkerPid)
{
    public bool IsTerminal => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
}

/// <summary>The state of one worker slot as seen by its manager.</summary>
public enum WorkerState
{
    /// <summary>No node process; one is started when a job needs the slot.</summary>
    NotStarted,

    /// <summary>A node process was started and has not registered yet.</summary>
    Starting,
    Idle,
    Busy,

    /// <summary>The node is being killed or asked to stop.</summary>
    Stopping,

    /// <summary>The slot gave up after too many failures and takes no jobs.</summary>
    Failed,
}

/// <summary>
/// An immutable view of one worker slot. <see cref="Host"/> is the host of a node started by an operator (its
/// <see cref="Pid"/> is a pid on that host); null for a node the manager spawned.
/// </summary>
public sealed record WorkerSnapshot(
    string WorkerId,
    WorkerState State,
    int? Pid,
    string? CurrentJobId,
    string? LoadedPlugin,
    int JobsCompleted,
    int Restarts,
    ImmutableArray<string> Plugins,
    long? MemoryBytes = null,
    string? Host = null);
