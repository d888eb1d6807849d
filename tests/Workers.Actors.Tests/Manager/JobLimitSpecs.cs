using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>Per-job timeouts and node recycling (MaxJobsPerWorker).</summary>
public sealed class JobLimitSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    [Fact]
    public async Task Should_fail_a_job_that_runs_past_its_timeout_and_kill_its_node()
    {
        var manager = await StartManagerAsync();
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""", new JobOptions { Timeout = TimeSpan.FromSeconds(1) });
        var started = await NextOfJobAsync<JobStarted>(Events, job.Id);

        var failed = await NextOfJobAsync<JobFailed>(Events, job.Id, TimeSpan.FromSeconds(5));

        Assert.Equal("job timed out after 00:00:01", failed.Error);
        Assert.Equal(started.WorkerPid, (await NextAsync<WorkerExited>(Events)).Pid);
        Assert.True(Launcher.Nodes[0].Exited.IsCompleted);
        var next = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(Events, next.Id);
    }

    [Fact]
    public async Task Should_use_the_manager_s_job_timeout_when_the_job_has_none()
    {
        var manager = await StartManagerAsync(new WorkerConfig { JobTimeout = TimeSpan.FromSeconds(1) });
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");

        var failed = await NextOfJobAsync<JobFailed>(Events, job.Id, TimeSpan.FromSeconds(8));

        Assert.Equal("job timed out after 00:00:01", failed.Error);
    }

    [Fact]
    public async Task Should_replace_a_node_after_MaxJobsPerWorker_jobs()
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxJobsPerWorker = 2 });
        var pids = new List<int>();

        for (var i = 0; i < 3; i++)
        {
            var job = await SubmitAsync(manager, "echo");
            pids.Add((await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid);
            await NextOfJobAsync<JobCompleted>(Events, job.Id);
        }
        await Task.Delay(1000); // long enough for the replaced node's remote Terminated to arrive

        Assert.Equal(pids[0], pids[1]);
        Assert.NotEqual(pids[1], pids[2]);
        var worker = (await GetWorkersAsync(manager)).Single();
        Assert.Equal((WorkerState.Idle, pids[2]), (worker.State, worker.Pid!.Value));
        Assert.Equal(2, Launcher.Nodes.Count); // one replacement, and no more
        Assert.Equal(0, await Launcher.Nodes[0].Exited); // asked to exit, not killed
    }
}
