using System.Text.Json;

namespace Workers.Plugins;

/// <summary>What a plugin knows about the job it is running.</summary>
public sealed class JobContext
{
    private readonly Action<double, string?> _reportProgress;

    public JobContext(
        string jobId,
        JsonElement parameters,
        string workerId,
        int processId,
        Action<double, string?> reportProgress,
        CancellationToken cancellationToken)
    {
        JobId = jobId;
        Parameters = parameters;
        WorkerId = workerId;
        ProcessId = processId;
        _reportProgress = reportProgress;
        CancellationToken = cancellationToken;
    }

    public string JobId { get; }

    /// <summary>The job's parameters, always a JSON object (empty when the caller gave none).</summary>
    public JsonElement Parameters { get; }

    /// <summary>The id of the worker node running the job.</summary>
    public string WorkerId { get; }

    /// <summary>The process id of the worker node.</summary>
    public int ProcessId { get; }

    /// <summary>
    /// Signalled when the node is asked to stop. Cancelling a running job does not rely on it: the manager
    /// kills the node's process, so code that never checks the token is cancelled too.
    /// </summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Reports progress; <paramref name="fraction"/> is clamped to [0, 1]. Cheap to call often: the node
    /// forwards at most a few updates per second and always the latest one.
    /// </summary>
    public void ReportProgress(double fraction, string? message = null) =>
        _reportProgress(Math.Clamp(double.IsNaN(fraction) ? 0 : fraction, 0, 1), message);
}
