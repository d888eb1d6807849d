using System.Diagnostics;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// A node whose process lives but does not answer is found by its missing heartbeats and killed; a node that never
/// registers is killed at <see cref="WorkerConfig.WorkerStartTimeout"/>. Either way no job waits for ever.
/// </summary>
public class HangSpecs(ITestOutputHelper output) : WorkersSpec("hang-specs", output)
{
    [Fact]
    public async Task Should_kill_a_stopped_node_and_fail_its_job_without_a_job_timeout()
    {
        var manager = await StartManagerAsync(Options(new WorkerConfig
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(250),
            HeartbeatTimeout = TimeSpan.FromSeconds(2),
        }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var job = await SubmitAsync(client, manager, "sleep", new { ms = 60_000 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);

        Signal("STOP", started.WorkerPid); // the process lives on, but answers nothing
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

        Assert.Contains("stopped answering", failed.Error);
        Assert.Contains("while running the job", failed.Error);
        await subscriber.FishForMessageAsync<WorkerExited>(e => e.Pid == started.WorkerPid, Reply);
        Assert.True(NodeProcesses.HasExited(started.WorkerPid));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Should_kill_a_node_that_never_registers_and_fail_the_waiting_job()
    {
        // A "node" that starts and then does nothing: it never connects back.
        var script = Path.Combine(Path.GetTempPath(), $"silent-node-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho $$ > \"$0.pid\"\nexec sleep 600\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var manager = await StartManagerAsync(Options(new WorkerConfig
            {
                WorkerStartTimeout = TimeSpan.FromSeconds(1),
                MaxRestartAttempts = 0,
            }) with { WorkerNodePath = script });
            var subscriber = await SubscribeAsync(manager);
            var client = CreateTestProbe("client");

            var job = await SubmitAsync(client, manager, "echo", new { text = "never runs" });
            var workerFailed = await subscriber.FishForMessageAsync<WorkerFailed>(_ => true, NodeStart);
            var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

            Assert.Contains("did not register within", workerFailed.Reason);
            Assert.Contains("did not register within", failed.Error);
            var pid = int.Parse((await File.ReadAllTextAsync(script + ".pid")).Trim());
            Nodes.Add(pid, "silent node");
            await AwaitConditionAsync(() => Task.FromResult(NodeProcesses.HasExited(pid)), Reply);
        }
        finally
        {
            File.Delete(script);
            File.Delete(script + ".pid");
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString()]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
