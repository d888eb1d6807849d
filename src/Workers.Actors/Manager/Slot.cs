using System.Collections.Immutable;
using Akka.Actor;

namespace Workers.Actors.Manager;

/// <summary>The manager's view of one worker slot; only the manager actor touches it.</summary>
internal sealed class Slot(int index)
{
    public string WorkerId { get; } = $"worker-{index}";
    public IActorRef? Proxy { get; set; }
    public WorkerState State { get; set; } = WorkerState.NotStarted;
    public int? Pid { get; set; }
    public JobRecord? RunningJob { get; set; }
    public string? LoadedPlugin { get; set; }
    public ImmutableArray<string> Plugins { get; set; } = [];
    public int JobsCompleted { get; set; }
    public int Restarts { get; set; }

    /// <summary>Failures since the last job completed on the slot; cancellations do not count.</summary>
    public int ConsecutiveFailures { get; set; }

    public WorkerSnapshot ToSnapshot() =>
        new(WorkerId, State, Pid, RunningJob?.Id, LoadedPlugin, JobsCompleted, Restarts, Plugins);
}
