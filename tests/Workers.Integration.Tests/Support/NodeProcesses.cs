using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Workers.Actors;

namespace Workers.Integration.Tests.Support;

/// <summary>
/// The worker-node processes a test has seen, so that the test can prove none outlives it. Pids come from the
/// <see cref="WorkerStarted"/> and <see cref="JobStarted"/> events of every manager the test creates (a recorder
/// actor subscribes to all of them), and from processes the test starts itself.
/// </summary>
public sealed class NodeProcesses
{
    private readonly ConcurrentDictionary<int, string> _seen = new();

    public IReadOnlyCollection<int> Pids => [.. _seen.Keys];

    public void Add(int pid, string what) => _seen.TryAdd(pid, what);

    /// <summary>Subscribes a recorder of node pids to every event of <paramref name="manager"/>.</summary>
    public async Task TrackAsync(ActorSystem system, IActorRef manager, TimeSpan within)
    {
        var recorder = system.ActorOf(Props.Create(() => new PidRecorder(this)));
        await manager.Ask<SubscribedToJobEvents>(new SubscribeToJobEvents(recorder), within);
    }

    /// <summary>True once the process is gone (or was never there).</summary>
    public static bool HasExited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true; // it exited between the lookup and the question
        }
    }

    /// <summary>
    /// Waits (bounded, not a sleep) until every seen node process has exited. The ones still running then are killed,
    /// so that they do not leak into later tests, and the assertion fails naming them.
    /// </summary>
    public async Task AssertAllExitedAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        var alive = new List<string>();
        foreach (var (pid, what) in _seen.OrderBy(pair => pair.Key))
        {
            Process process;
            try
            {
                process = Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                continue;
            }
            using (process)
            {
                try
                {
                    await process.WaitForExitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    alive.Add($"{pid} ({what})");
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Gone between the lookup and the wait.
                }
            }
        }
        Assert.True(alive.Count == 0, $"Worker node processes still running {within} after their manager stopped: {string.Join(", ", alive)}");
    }

    private sealed class PidRecorder : ReceiveActor
    {
        public PidRecorder(NodeProcesses nodes)
        {
            Receive<WorkerStarted>(started => nodes.Add(started.Pid, started.WorkerId));
            Receive<JobStarted>(started => nodes.Add(started.WorkerPid, started.WorkerId));
            ReceiveAny(_ => { });
        }
    }
}
