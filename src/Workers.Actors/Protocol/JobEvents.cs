using System.Text.Json;

namespace Workers.Actors;

/// <summary>An event about one job. Events of a job reach each subscriber in the order they happened.</summary>
public interface IJobEvent
{
    string JobId { get; }
}

/// <summary>An event about a worker slot; delivered to all-jobs subscribers.</summary>
public interface IWorkerEvent
{
    string WorkerId { get; }
}

public sealed record JobQueued(string JobId, string PluginId) : IJobEvent;

public sealed record JobStarted(string JobId, string PluginId, string WorkerId, int WorkerPid) : IJobEvent;

/// <summary>
/// Partial output of a streaming job. Sequences start at 0 and have no gaps; the last chunk of a job has
/// <paramref name="IsFinal"/> set and empty text, and is followed by <see cref="JobCompleted"/>.
/// </summary>
public sealed record JobChunk(string JobId, long Sequence, string Text, bool IsFinal) : IJobEvent;

public sealed record JobProgress(string JobId, double Fraction, string? Message) : IJobEvent;

public sealed record JobCompleted(string JobId, JsonElement Result) : IJobEvent;

public sealed record JobFailed(string JobId, string Error) : IJobEvent;

public sealed record JobCancelled(string JobId) : IJobEvent;

public sealed record WorkerStarted(string WorkerId, int Pid) : IWorkerEvent;

public sealed record WorkerExited(string WorkerId, int Pid, string Reason) : IWorkerEvent;

public sealed record WorkerRestarting(string WorkerId, TimeSpan Delay, int Attempt) : IWorkerEvent;

public sealed record WorkerFailed(string WorkerId, string Reason) : IWorkerEvent;
