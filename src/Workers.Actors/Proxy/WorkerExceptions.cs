namespace Workers.Actors;

/// <summary>
/// Thrown by a <c>WorkerProxyActor</c> when its node is gone, so that the manager's supervisor strategy applies
/// the restart policy. <see cref="JobId"/> is the job that was running on the node, if any.
/// </summary>
public abstract class WorkerException(string workerId, int? pid, string? jobId, string reason)
    : Exception($"Worker [{workerId}] (pid {pid?.ToString() ?? "none"}): {reason}")
{
    public string WorkerId { get; } = workerId;
    public int? Pid { get; } = pid;
    public string? JobId { get; } = jobId;
    public string Reason { get; } = reason;
}

/// <summary>The node was killed on purpose to cancel its running job.</summary>
public sealed class WorkerCancelledException(string workerId, int? pid, string jobId)
    : WorkerException(workerId, pid, jobId, "killed to cancel its job");

/// <summary>The node process exited or vanished without being asked to.</summary>
public sealed class WorkerCrashedException(string workerId, int? pid, string? jobId, string reason)
    : WorkerException(workerId, pid, jobId, reason);

/// <summary>The node could not be started, or did not register in time.</summary>
public sealed class WorkerStartFailedException(string workerId, int? pid, string reason)
    : WorkerException(workerId, pid, null, reason);

/// <summary>The node stopped answering (no heartbeat, or past the job's timeout) and was killed.</summary>
public sealed class WorkerUnresponsiveException(string workerId, int? pid, string? jobId, string reason)
    : WorkerException(workerId, pid, jobId, reason);

/// <summary>The node was replaced on purpose between jobs (MaxJobsPerWorker, MaxWorkerMemoryMb). Not a failure.</summary>
public sealed class WorkerRecycledException(string workerId, int? pid, string reason)
    : WorkerException(workerId, pid, null, reason);

/// <summary>
/// A node started by an operator (on this host or another) is gone: its process ended, its host became unreachable
/// or the network was cut. The manager cannot start such a node: its slot is dropped, and the node's own supervisor
/// (systemd, say) starts it again, after which it registers and becomes a slot again.
/// </summary>
public sealed class WorkerLostException(string workerId, int? pid, string? jobId, string reason)
    : WorkerException(workerId, pid, jobId, reason);
