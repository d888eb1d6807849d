using System.Collections.Immutable;
using Akka.Actor;

namespace Workers.Actors.Manager;

/// <summary>The manager's view of one worker slot; only the manager actor touches it.</summary>
internal sealed class Slot
{
    /// <summary>A slot whose node this manager spawns: <c>worker-{index}</c>.</summary>
    public Slot(int index) => WorkerId = $"worker-{index}";

    /// <summary>A slot for a node an operator started, which registered itself from <paramref name="host"/>.</summary>
    public Slot(string workerId, string host, IActorRef node)
    {
        WorkerId = workerId;
        Host = host;
        ExternalNode = node;
    }

    public string WorkerId { get; }

    /// <summary>The host of a node started by an operator; null for a node this manager spawned.</summary>
    public string? Host { get; }

    /// <summary>The registered node of an external slot (to tell a repeated registration from a new node).</summary>
    public IActorRef? ExternalNode { get; }

    /// <summary>An external slot has no process here: it is never started, restarted or killed by the manager.</summary>
    public bool IsExternal => Host is not null;

    public IActorRef? Proxy { get; set; }
    public WorkerState State { get; set; } = WorkerState.NotStarted;
    public int? Pid { get; set; }
    public JobRecord? RunningJob { get; set; }

    /// <summary>
    /// Jobs sent to the node ahead of time, waiting there behind <see cref="RunningJob"/> in this order (still Pending:
    /// the node starts each one as it sends the outcome of the one before).
    /// </summary>
    public List<JobRecord> Queued { get; } = [];

    /// <summary>A recycle that waits for the node's queued jobs to end (a memory limit passed while it held some).</summary>
    public string? RecycleAfterQueued { get; set; }
    public string? LoadedPlugin { get; set; }
    public ImmutableArray<string> Plugins { get; set; } = [];
    public int JobsCompleted { get; set; }
    public int Restarts { get; set; }

    /// <summary>Failures since the last job completed on the slot; cancellations do not count.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>Jobs run by the current node (for <see cref="WorkerConfig.MaxJobsPerWorker"/>).</summary>
    public int JobsOnNode { get; set; }

    /// <summary>When the slot last took a job (the manager's job sequence), for least-recently-used routing.</summary>
    public long LastUsed { get; set; } = -1;

    /// <summary>The most a job's request may take to the current node: the payload of the frame both ends take.</summary>
    public long MaxPayloadBytes { get; set; } = long.MaxValue;

    /// <summary>The node's memory at its last heartbeat.</summary>
    public long MemoryBytes { get; set; }

    /// <summary>A Backoff restart waiting for its delay (the slot is not started on demand meanwhile), or due.</summary>
    public SlotRestart Restart { get; set; }

    public WorkerSnapshot ToSnapshot() =>
        new(WorkerId, State, Pid, RunningJob?.Id, LoadedPlugin, JobsCompleted, Restarts, Plugins, Pid is null ? null : MemoryBytes, Host);
}

internal enum SlotRestart
{
    None,
    Scheduled,
    Due,
}
