using System.Diagnostics;

namespace Workers.Benchmarks.Harness;

/// <summary>What a measured window cost: CPU time used by the node processes, and CPU time and allocated bytes in this process.</summary>
internal readonly record struct ResourceUse(TimeSpan ManagerCpu, TimeSpan NodesCpu, long ManagerAllocatedBytes);

/// <summary>
/// Measures the CPU time and allocations of this process (the manager and its subscriber) and the CPU time of a set of
/// node processes over a window: where a throughput goes when the wire is not the limit.
/// </summary>
internal sealed class ResourceMeter
{
    private readonly Dictionary<int, TimeSpan> _nodesAtStart;
    private readonly TimeSpan _managerAtStart;
    private readonly long _allocatedAtStart;

    private ResourceMeter(IEnumerable<int> nodePids)
    {
        _nodesAtStart = ReadNodes(nodePids);
        (_managerAtStart, _allocatedAtStart) = ReadSelf();
    }

    public static ResourceMeter Start(IEnumerable<int> nodePids) => new(nodePids);

    /// <summary>What was used since <see cref="Start"/>; a node that exited meanwhile (W4, W5) is left out.</summary>
    public ResourceUse Elapsed()
    {
        var nodes = ReadNodes(_nodesAtStart.Keys);
        var (manager, allocated) = ReadSelf();
        var nodesUsed = TimeSpan.Zero;
        foreach (var (pid, now) in nodes)
            nodesUsed += now - _nodesAtStart[pid];
        return new ResourceUse(manager - _managerAtStart, nodesUsed, allocated - _allocatedAtStart);
    }

    private static (TimeSpan Cpu, long Allocated) ReadSelf()
    {
        using var self = Process.GetCurrentProcess();
        return (self.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true));
    }

    private static Dictionary<int, TimeSpan> ReadNodes(IEnumerable<int> pids)
    {
        var used = new Dictionary<int, TimeSpan>();
        foreach (var pid in pids)
        {
            try
            {
                using var node = Process.GetProcessById(pid);
                used[pid] = node.TotalProcessorTime;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Gone: killed by a cancel or crashed on purpose.
            }
        }
        return used;
    }
}
