using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Akka.Actor;

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
