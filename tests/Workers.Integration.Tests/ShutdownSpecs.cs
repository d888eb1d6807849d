using System.Diagnostics;
using Akka.Actor;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>No node outlives its manager: not after a graceful stop, and not after the manager is SIGKILLed.</summary>
public class ShutdownSpecs(ITestOutputHelper output) : WorkersSpec("shutdown-specs", output)
{
    [Fact]
    public async Task Should_end_running_and_pending_jobs_with_a_reason_and_stop_every_node_on_coordinated_shutdown_without_a_job_store()
    {
        var manager = await StartManagerAsync(Options(maxWorkers: 2) with { Store = JobStoreOptions.None });
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var running = new[]
        {
            await SubmitAsync(client, manager, "sleep", new { ms = 60_000 }),
            await SubmitAsync(client, manager, "busy", new { ms = 60_000 }),
        };
        var pending = await SubmitAsync(client, manager, "echo", new { text = "never runs" });
        var pids = new List<int>();
        foreach (var job in running)
            pids.Add((await ExpectJobEventAsync<JobStarted>(subscriber, job.Id)).WorkerPid);

        var shutdown = CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance);
        var ended = await ReceiveUntilEndedAsync(subscriber, [.. running.Select(j => j.Id), pending.Id]);
        await shutdown.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(ended.OfType<JobFailed>(), failed => Assert.Contains("shut down", failed.Error));
        Assert.Equal(3, ended.OfType<JobFailed>().Count());
        Assert.All(pids, pid => Assert.True(NodeProcesses.HasExited(pid), $"node {pid} still runs"));
    }

    [Fact]
    public async Task Should_have_its_nodes_exit_by_themselves_when_the_manager_process_is_killed()
    {
        var host = Path.Combine(AppContext.BaseDirectory, "Workers.TestHost");
        var start = new ProcessStartInfo(host, ["2", "sleep", """{"ms":600000}""", "2"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var manager = Process.Start(start)!;
        try
        {
            var pids = new List<int>();
            while (pids.Count < 2 && await manager.StandardOutput.ReadLineAsync().WaitAsync(NodeStart) is { } line)
            {
                if (line.StartsWith("NODE ", StringComparison.Ordinal))
                    pids.Add(int.Parse(line[5..]));
            }
            Assert.Equal(2, pids.Count);
            pids.ForEach(pid => Nodes.Add(pid, "node of the killed manager"));

            manager.Kill(); // SIGKILL: no shutdown code runs in the manager
            await manager.WaitForExitAsync();

            // The nodes see their stdin pipe close and exit on their own, within a few seconds.
            await AwaitConditionAsync(() => Task.FromResult(pids.All(NodeProcesses.HasExited)), TimeSpan.FromSeconds(10));
        }
        finally
        {
            if (!manager.HasExited)
                manager.Kill(entireProcessTree: true);
        }
    }
}
