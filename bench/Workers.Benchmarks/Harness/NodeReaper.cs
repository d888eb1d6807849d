using System.Collections.Concurrent;
using System.Diagnostics;

namespace Workers.Benchmarks.Harness;

/// <summary>
/// Every process the benchmark caused to start (worker nodes, the pong peer), so that none outlives it: each
/// manager's nodes are waited for when the manager stops, and whatever is left is killed at exit or on a second
/// Ctrl-C. Node pids come from the managers' events; on Linux, child processes running the worker node are also
/// found in /proc, which catches a node that never registered.
/// </summary>
internal sealed class NodeReaper
{
    private const string NodeExecutable = "Workers.WorkerNode";
    private readonly ConcurrentDictionary<int, string> _started = new();

    public void Track(int pid, string what) => _started.TryAdd(pid, what);

    /// <summary>Worker-node processes started by this process that are still running (Linux only; empty elsewhere).</summary>
    public static IReadOnlyList<int> RunningNodeChildren() =>
        [.. Children().Where(child => child.CommandLine.Contains(NodeExecutable, StringComparison.Ordinal)).Select(child => child.Pid)];

    /// <summary>Running (not zombie) child processes of this process, from /proc; empty on other systems.</summary>
    private static IEnumerable<(int Pid, string CommandLine)> Children()
    {
        if (!OperatingSystem.IsLinux())
            yield break;
        var self = Environment.ProcessId.ToString();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            string? commandLine = null;
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && fields[1] == self)
                    commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
            if (commandLine is not null)
                yield return (pid, commandLine);
        }
    }

    /// <summary>
    /// Waits until each of the processes has exited; kills those still running after <paramref name="within"/>
    /// and returns them, described (empty when all exited by themselves).
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitForExitAsync(IEnumerable<int> pids, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        var killed = new List<string>();
        foreach (var pid in pids.Distinct())
        {
            using var process = Find(pid);
            if (process is null)
            {
                _started.TryRemove(pid, out _);
                continue;
            }
            try
            {
                await process.WaitForExitAsync(deadline.Token);
                _started.TryRemove(pid, out _);
            }
            catch (OperationCanceledException)
            {
                killed.Add(_started.TryGetValue(pid, out var what) ? $"{pid} ({what})" : $"{pid} ({NodeExecutable})");
                Kill(process);
            }
            catch (InvalidOperationException)
            {
                // Exited between the lookup and the wait.
            }
        }
        return killed;
    }

    /// <summary>
    /// Kills every node child and every tracked process still running; for exits that cannot wait. On Linux only
    /// this process's children are touched, so a pid reused by an unrelated process is never killed.
    /// </summary>
    public void KillAll()
    {
        IEnumerable<int> targets = OperatingSystem.IsLinux()
            ? Children().Where(child => _started.ContainsKey(child.Pid) || child.CommandLine.Contains(NodeExecutable, StringComparison.Ordinal)).Select(child => child.Pid)
            : _started.Keys;
        foreach (var pid in targets.ToList())
        {
            using var process = Find(pid);
            if (process is not null)
                Kill(process);
        }
    }

    /// <summary>At the end of the benchmark: every process it started must be gone; returns those that were not (now killed).</summary>
    public Task<IReadOnlyList<string>> EnsureAllGoneAsync(TimeSpan within) =>
        WaitForExitAsync(_started.Keys.Concat(RunningNodeChildren()), within);

    /// <summary>Whether the process is gone (or was never there).</summary>
    public static bool HasExited(int pid)
    {
        using var process = Find(pid);
        return process is null;
    }

    private static Process? Find(int pid)
    {
        try
        {
            var process = Process.GetProcessById(pid);
            if (!process.HasExited)
                return process;
            process.Dispose();
        }
        catch (ArgumentException)
        {
            // No such process.
        }
        catch (InvalidOperationException)
        {
            // It exited between the lookup and the question.
        }
        return null;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
