using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// A job that runs past its time limit (<see cref="JobOptions.Timeout"/>, else <see cref="WorkerConfig.JobTimeout"/>)
/// is failed with the reason, and its node is killed: no job stays Running for ever (DESIGN section 4).
/// </summary>
public class JobTimeoutSpecs(ITestOutputHelper output) : WorkersSpec("job-timeout-specs", output)
{
    // Far longer than the limits below: if the job completes, the limit was not applied.
    private const int LongerThanTheLimit = 15_000;

    [Fact]
    public async Task Should_fail_a_job_that_runs_past_its_own_timeout_and_kill_its_node()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var job = await SubmitAsync(client, manager, "sleep", new { ms = LongerThanTheLimit }, new JobOptions { Timeout = TimeSpan.FromSeconds(1) });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

        Assert.Contains("timed out", failed.Error);
        Assert.Equal(JobStatus.Failed, (await GetJobAsync(client, manager, job.Id))?.Status);
        await subscriber.FishForMessageAsync<WorkerExited>(e => e.Pid == started.WorkerPid, Reply);
        Assert.True(NodeProcesses.HasExited(started.WorkerPid));
    }

    [Fact]
    public async Task Should_fail_a_job_that_runs_past_the_managers_default_job_timeout()
    {
        var manager = await StartManagerAsync(Options(new WorkerConfig { JobTimeout = TimeSpan.FromSeconds(1) }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var job = await SubmitAsync(client, manager, "sleep", new { ms = LongerThanTheLimit });
        await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

        Assert.Contains("timed out", failed.Error);
    }
}
