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
    private readonly IReadOnlyList<int> _nodePids;
    private readonly ResourceUse _start;

    private ResourceMeter(IReadOnlyList<int> nodePids)
    {
        _nodePids = nodePids;
        _start = Read(nodePids);
    }

    public static ResourceMeter Start(IEnumerable<int> nodePids) => new([.. nodePids]);

    /// <summary>What was used since <see cref="Start"/>.</summary>
    public ResourceUse Elapsed()
    {
        var now = Read(_nodePids);
        return new ResourceUse(now.ManagerCpu - _start.ManagerCpu, now.NodesCpu - _start.NodesCpu,
            now.ManagerAllocatedBytes - _start.ManagerAllocatedBytes);
    }

    private static ResourceUse Read(IReadOnlyList<int> nodePids)
    {
        using var self = Process.GetCurrentProcess();
        var nodes = TimeSpan.Zero;
        foreach (var pid in nodePids)
        {
            using var node = Process.GetProcessById(pid);
            nodes += node.TotalProcessorTime;
        }
        return new ResourceUse(self.TotalProcessorTime, nodes, GC.GetTotalAllocatedBytes(precise: true));
    }
}
