using System.Diagnostics;
using System.Threading.Channels;
using Workers.Actors;

namespace Workers.Demo;

/// <summary>Prints the events of the demo's jobs as they arrive.</summary>
internal sealed class DemoConsole(ChannelReader<object> events)
{
    private readonly Dictionary<string, string> _plugins = [];
    private readonly Dictionary<string, int> _progressShown = [];

    public async Task FollowStreamAsync(string jobId)
    {
        Console.Write("   ");
        await foreach (var message in events.ReadAllAsync())
        {
            switch (message)
            {
                case JobChunk chunk when chunk.JobId == jobId:
                    Console.Write(chunk.Text);
                    break;
                case JobCompleted done when done.JobId == jobId:
                    Console.WriteLine();
                    return;
                case JobFailed failed when failed.JobId == jobId:
                    Console.WriteLine($"\n   failed: {failed.Error}");
                    return;
            }
        }
    }

    public async Task FollowUntilDoneAsync(IReadOnlyCollection<string> jobIds)
    {
        var open = new HashSet<string>(jobIds);
        await foreach (var message in events.ReadAllAsync())
        {
            if (message is IJobEvent job && !open.Contains(job.JobId))
                continue;
            if (Describe(message) is { } line)
                Console.WriteLine($"   {line}");
            if (message is JobCompleted or JobFailed or JobCancelled)
                open.Remove(((IJobEvent)message).JobId);
            if (open.Count == 0)
                return;
        }
    }

    private string? Describe(object message)
    {
        switch (message)
        {
            case JobQueued queued:
                _plugins[queued.JobId] = queued.PluginId;
                return null;
            case JobStarted started:
                return $"{Name(started.JobId),-22} started on {started.WorkerId} (pid {started.WorkerPid})";
            case JobProgress progress:
                var percent = (int)(progress.Fraction * 100);
                if (percent / 25 == _progressShown.GetValueOrDefault(progress.JobId, -1) / 25)
                    return null;
                _progressShown[progress.JobId] = percent;
                return $"{Name(progress.JobId),-22} {Bar(progress.Fraction)} {percent,3}%";
            case JobChunk { IsFinal: true } chunk:
                return $"{Name(chunk.JobId),-22} streamed {chunk.Sequence} chunks";
            case JobCompleted completed:
                var text = completed.Result.ToString();
                return $"{Name(completed.JobId),-22} completed: {(text.Length > 70 ? text[..70] + "…" : text)}";
            case JobFailed failed:
                return $"{Name(failed.JobId),-22} FAILED: {failed.Error}";
            case WorkerStarted worker:
                return $"{worker.WorkerId,-22} node started (pid {worker.Pid})";
            case WorkerExited exited:
                return $"{exited.WorkerId,-22} node exited (pid {exited.Pid}): {exited.Reason}";
            default:
                return null;
        }
    }

    private string Name(string jobId) => $"{_plugins.GetValueOrDefault(jobId, "job")} {jobId[..6]}";

    private static string Bar(double fraction) =>
        "[" + new string('#', (int)(fraction * 20)).PadRight(20, '.') + "]";

    public static void PrintSummary(IReadOnlyList<JobSnapshot> jobs)
    {
        Console.WriteLine($"   {"job",-8} {"plugin",-11} {"status",-10} {"worker pid",10} {"duration",10}");
        Console.WriteLine($"   {new string('-', 8)} {new string('-', 11)} {new string('-', 10)} {new string('-', 10)} {new string('-', 10)}");
        foreach (var job in jobs)
        {
            var duration = job is { StartedAt: { } start, CompletedAt: { } end } ? $"{(end - start).TotalMilliseconds:0} ms" : "-";
            Console.WriteLine($"   {job.Id[..6],-8} {job.PluginId,-11} {job.Status.ToString().ToLowerInvariant(),-10} {job.WorkerPid?.ToString() ?? "-",10} {duration,10}");
        }
    }

    /// <summary>Waits (bounded) until every process has exited; returns those still alive.</summary>
    public static async Task<List<int>> WaitForExitAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var alive = new List<int>();
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (ArgumentException)
            {
                // already gone
            }
            catch (OperationCanceledException)
            {
                alive.Add(pid);
            }
        }
        return alive;
    }
}
