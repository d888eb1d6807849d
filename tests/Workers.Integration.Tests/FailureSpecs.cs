using System.Diagnostics;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>A job that fails leaves its node up; a node that dies takes only its own job with it, and says why.</summary>
public class FailureSpecs(ITestOutputHelper output) : WorkersSpec("failure-specs", output)
{
    [Fact]
    public async Task Should_fail_a_job_with_the_plugins_message_and_keep_its_node_up()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var job = await SubmitAsync(client, manager, "fail", new { message = "the model is on fire" });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

        Assert.Equal("the model is on fire", failed.Error);
        var snapshot = await GetJobAsync(client, manager, job.Id);
        Assert.Equal(JobStatus.Failed, snapshot?.Status);
        Assert.Equal("the model is on fire", snapshot?.Error);

        // The same slot runs the next job on the same process: the node was not restarted.
        var (next, metadata) = await RunEchoAsync(client, subscriber, manager);
        Assert.Equal(started.WorkerId, next.WorkerId);
        Assert.Equal(started.WorkerPid, next.WorkerPid);
        Assert.Equal(started.WorkerPid, metadata.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Should_fail_the_running_job_when_its_node_is_killed_and_start_a_new_node_for_the_next_job()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var job = await SubmitAsync(client, manager, "sleep", new { ms = 60_000 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        using (var node = Process.GetProcessById(started.WorkerPid))
            node.Kill();
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

        Assert.Contains("exited", failed.Error);
        Assert.Contains("while running the job", failed.Error);
        var snapshot = await GetJobAsync(client, manager, job.Id);
        Assert.Equal(JobStatus.Failed, snapshot?.Status);
        Assert.Equal(failed.Error, snapshot?.Error);
        Assert.NotNull(snapshot?.CompletedAt);

        var (next, metadata) = await RunEchoAsync(client, subscriber, manager);
        Assert.NotEqual(started.WorkerPid, next.WorkerPid);
        Assert.Equal(next.WorkerPid, metadata.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Should_fail_the_job_with_the_exit_code_when_its_plugin_crashes_the_node()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var job = await SubmitAsync(client, manager, "crash", new { exitCode = 134 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

        Assert.Contains("134", failed.Error);
        Assert.Contains("while running the job", failed.Error);
        Assert.Equal(JobStatus.Failed, (await GetJobAsync(client, manager, job.Id))?.Status);
        var exited = await subscriber.FishForMessageAsync<WorkerExited>(e => e.Pid == started.WorkerPid, Reply);
        Assert.Contains("134", exited.Reason);

        var (next, _) = await RunEchoAsync(client, subscriber, manager);
        Assert.NotEqual(started.WorkerPid, next.WorkerPid);
    }
}
