using System.Diagnostics;

namespace Workers.WorkerNode;

/// <summary>
/// Where a node's start-up time goes, for tuning: with <c>WORKERS_NODE_TRACE_STARTUP=1</c> in its environment the
/// node writes one line to stderr once registered, with the milliseconds from its process start to each phase,
/// the process's CPU time by then (less noisy than the wall clock on a busy machine), and how many methods the JIT had
/// compiled by then, in how long, and a second line with the assemblies loaded by then that are not the runtime's own
/// (those are what ReadyToRun must cover, see WorkerNodeReadyToRunAssemblies in the project file). A node that gives up
/// registering writes them too. What comes after registering (the job path's warm-up, <see cref="JobLoop.TryWarmUp"/>)
/// gets a line of its own when it ends (<see cref="After"/>).
/// Off by default: reading the process start time loads more than a node needs.
/// </summary>
internal static class StartupTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("WORKERS_NODE_TRACE_STARTUP") == "1";
    private static readonly List<(string Phase, DateTime At, TimeSpan Cpu, long Jitted, TimeSpan JitTime)> Phases = [];

    public static void Mark(string phase)
    {
        if (!Enabled)
            return;
        lock (Phases)
            Phases.Add((phase, DateTime.UtcNow, Environment.CpuUsage.TotalTime, System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime()));
    }

    /// <summary>Writes the phases marked so far, once.</summary>
    public static void Report()
    {
        if (!Enabled || !WritePhases())
            return;
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location);
        Console.Error.WriteLine("startup: loaded " + string.Join(", ", AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.IsDynamic || Path.GetDirectoryName(a.Location) != runtime)
            .Select(a => a.GetName().Name)
            .Order(StringComparer.Ordinal)));
    }

    /// <summary>Marks <paramref name="phase"/>, which happened after the node registered, and writes it on a line of its own.</summary>
    public static void After(string phase)
    {
        if (!Enabled)
            return;
        Mark(phase);
        WritePhases();
    }

    /// <summary>Writes the phases marked and not yet written as one line; false if there were none.</summary>
    private static bool WritePhases()
    {
        var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        lock (Phases)
        {
            if (Phases.Count == 0)
                return false;
            Console.Error.WriteLine("startup: " + string.Join(", ", Phases.Select(p => $"{p.Phase} {(p.At - started).TotalMilliseconds:0} ms (cpu {p.Cpu.TotalMilliseconds:0} ms, jit {p.Jitted} methods, {p.JitTime.TotalMilliseconds:0} ms)")));
            Phases.Clear();
            return true;
        }
    }
}
