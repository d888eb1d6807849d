using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Workers.Actors.Persistence;

namespace Workers.Actors.Manager;

/// <summary>
/// The manager's mutable record of one job; only the manager actor touches it. Every change of status goes
/// through a method here, so a terminal status can never change again.
/// </summary>
internal sealed class JobRecord
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = ImmutableDictionary<string, string>.Empty;

    public JobRecord(string id, string pluginId, PluginTarget target, string parametersJson, JobOptions options, long sequence, DateTimeOffset createdAt)
    {
        Id = id;
        PluginId = pluginId;
        Target = target;
        PluginName = target.PluginName;
        ParametersJson = parametersJson;
        Options = options;
        Sequence = sequence;
        CreatedAt = createdAt;
        Metadata = options.Metadata is { Count: > 0 } metadata ? metadata.ToImmutableDictionary() : NoMetadata;
    }

    public string Id { get; }
    public string PluginId { get; }

    /// <summary>The plugin's name on the nodes (the same as <see cref="PluginId"/> without a registry).</summary>
    public string PluginName { get; }

    /// <summary>The plugin the node runs and its configuration; dropped once the job ends.</summary>
    public PluginTarget? Target { get; private set; }
    public JobOptions Options { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Submission order; ties of priority run in this order.</summary>
    public long Sequence { get; }
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The parameters as sent to the node; dropped once the job ends.</summary>
    public string? ParametersJson { get; private set; }

    public JobStatus Status { get; private set; } = JobStatus.Pending;
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public JsonElement? Result { get; private set; }
    public string? Error { get; private set; }
    public string? WorkerId { get; private set; }
    public int? WorkerPid { get; private set; }

    /// <summary>The streamed text so far, while a streaming job runs.</summary>
    public StringBuilder? StreamedText { get; private set; }
    public long NextChunkSequence { get; set; }

    /// <summary>Accepted, but not queued until the job store has written it.</summary>
    public bool AwaitingStore { get; set; }

    /// <summary>Callers waiting for the answer to a cancel of this running job.</summary>
    public List<IActorRef>? CancelRequesters { get; set; }

    public bool IsTerminal => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    public void MarkRunning(string workerId, int pid, bool stream, DateTimeOffset now)
    {
        RequireStatus(JobStatus.Pending);
        Status = JobStatus.Running;
        WorkerId = workerId;
        WorkerPid = pid;
        StartedAt = now;
        StreamedText = stream ? new StringBuilder() : null;
    }

    public void Complete(JsonElement result, DateTimeOffset now) => End(JobStatus.Completed, now, result, null);

    public void Fail(string error, DateTimeOffset now) => End(JobStatus.Failed, now, null, error);

    public void Cancel(DateTimeOffset now) => End(JobStatus.Cancelled, now, null, null);

    /// <summary>The job as read back from the store; <paramref name="target"/> is null for a finished job.</summary>
    public static JobRecord Restore(StoredJob stored, PluginTarget? target)
    {
        var options = new JobOptions { JobId = stored.Id, Stream = stored.Stream, Priority = stored.Priority, Timeout = stored.Timeout, Metadata = stored.Metadata };
        var job = new JobRecord(stored.Id, stored.PluginId, target ?? new PluginTarget(stored.PluginId, "{}", null), stored.ParametersJson ?? "{}", options, stored.Sequence, stored.CreatedAt)
        {
            Status = stored.Status,
            StartedAt = stored.StartedAt,
            CompletedAt = stored.CompletedAt,
            Result = stored.ResultJson is null ? null : JsonElement.Parse(stored.ResultJson),
            Error = stored.Error,
            WorkerId = stored.WorkerId,
            WorkerPid = stored.WorkerPid,
        };
        if (job.IsTerminal || target is null)
        {
            job.ParametersJson = null;
            job.Target = null;
        }
        return job;
    }

    /// <summary>Fails the job and returns it (for a job that cannot be recovered).</summary>
    public JobRecord Failed(string error, DateTimeOffset now)
    {
        if (!IsTerminal)
            Fail(error, now);
        return this;
    }

    /// <summary>The job as the store keeps it.</summary>
    public StoredJob ToStored() => new()
    {
        Id = Id,
        PluginId = PluginId,
        Sequence = Sequence,
        CreatedAt = CreatedAt,
        Status = Status,
        ParametersJson = ParametersJson,
        Stream = Options.Stream,
        Priority = Options.Priority,
        Timeout = Options.Timeout,
        Metadata = Metadata.Count == 0 ? null : Metadata,
        StartedAt = StartedAt,
        CompletedAt = CompletedAt,
        ResultJson = Result?.GetRawText(),
        Error = Error,
        WorkerId = WorkerId,
        WorkerPid = WorkerPid,
    };

    public JobSnapshot ToSnapshot() =>
        new(Id, PluginId, Status, CreatedAt, StartedAt, CompletedAt, Result, Error, Metadata, WorkerId, WorkerPid);

    private void End(JobStatus status, DateTimeOffset now, JsonElement? result, string? error)
    {
        if (IsTerminal)
            throw new InvalidOperationException($"Job {Id} is already {Status}; it cannot become {status}.");
        Status = status;
        CompletedAt = now;
        Result = result;
        Error = error;
        ParametersJson = null;
        StreamedText = null;
        Target = null;
    }

    private void RequireStatus(JobStatus expected)
    {
        if (Status != expected)
            throw new InvalidOperationException($"Job {Id} is {Status}, expected {expected}.");
    }
}
