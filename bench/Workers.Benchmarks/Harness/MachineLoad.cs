using System.Diagnostics;

namespace Workers.Benchmarks.Harness;

/// <summary>How long the benchmark took, and how busy the machine was with other work meanwhile.</summary>
internal sealed record RunConditions(TimeSpan Took, string? LoadBefore, string? LoadAfter, double? OthersShare);

/// <summary>
/// How much of the machine's CPU other processes used while the benchmark ran (Linux): the machine's busy time
/// from /proc/stat, less this process's and its reaped children's (the nodes, the pong peer) from /proc/self/stat.
/// A benchmark on a shared machine is pessimistic; this says by how much it was shared.
/// </summary>
internal sealed class MachineLoad
{
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly string? _loadBefore = LoadAverages();
    private readonly (long Busy, long Total)? _machine = ReadMachine();
    private readonly long? _ours = ReadOurs();

    public RunConditions Finish() => new(Stopwatch.GetElapsedTime(_startedAt), _loadBefore, LoadAverages(), OthersShare());

    /// <summary>The 1, 5 and 15 minute load averages, or null where there is no /proc/loadavg.</summary>
    private static string? LoadAverages() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    /// <summary>The share of all cores' time used by other processes since this instance was created, or null if unknown.</summary>
    private double? OthersShare()
    {
        if (_machine is not { } start || _ours is not { } oursStart || ReadMachine() is not { } end || ReadOurs() is not { } oursEnd)
            return null;
        var total = end.Total - start.Total;
        return total <= 0 ? null : Math.Max(0, (end.Busy - start.Busy) - (oursEnd - oursStart)) / (double)total;
    }

    /// <summary>Busy and total jiffies of all cores ("cpu" line of /proc/stat: user nice system idle iowait irq softirq steal).</summary>
    private static (long Busy, long Total)? ReadMachine()
    {
        if (!File.Exists("/proc/stat"))
            return null;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var idle = fields[3] + fields[4];
        return (fields.Sum() - idle, fields.Sum());
    }

    /// <summary>utime + stime + cutime + cstime of this process, in the same jiffies.</summary>
    private static long? ReadOurs()
    {
        if (!File.Exists("/proc/self/stat"))
            return null;
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 14 of the full line (utime) is index 11 here.
        return fields.Skip(11).Take(4).Select(long.Parse).Sum();
    }
}
