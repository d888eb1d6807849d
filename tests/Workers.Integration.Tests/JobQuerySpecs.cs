using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>GetJob, GetAllJobs and ClearCompletedJobs.</summary>
public class JobQuerySpecs(ITestOutputHelper output) : WorkersSpec("job-query-specs", output)
{
    [Fact]
    public async Task Should_answer_get_job_of_an_unknown_id_with_no_job()
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");

        client.Send(manager, new GetJob("no-such-job"));

        var info = await client.ExpectMsgAsync<JobInfo>(Reply);
        Assert.Null(info.Job);
    }

    [Fact]
    public async Task Should_list_all_jobs_in_creation_order()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var jobs = new List<JobSnapshot>();
        foreach (var text in new[] { "first", "second", "third" })
            jobs.Add(await SubmitAsync(client, manager, "echo", new { text }));
        await ReceiveUntilEndedAsync(subscriber, [.. jobs.Select(job => job.Id)]);

        var all = await GetAllJobsAsync(client, manager);
        Assert.Equal(jobs.Select(job => job.Id), all.Select(job => job.Id));
        Assert.All(all, job => Assert.Equal(JobStatus.Completed, job.Status));
        Assert.Equal(["first", "second", "third"], all.Select(job => job.Result?.GetProperty("text").GetString()));
        Assert.True(all.Zip(all.Skip(1)).All(pair => pair.First.CreatedAt <= pair.Second.CreatedAt));
    }

    [Fact]
    public async Task Should_clear_only_completed_failed_and_cancelled_jobs()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var completed = await SubmitAsync(client, manager, "echo");
        await ExpectEndAsync<JobCompleted>(subscriber, completed.Id);
        var failed = await SubmitAsync(client, manager, "fail", new { message = "failed on purpose" });
        await ExpectEndAsync<JobFailed>(subscriber, failed.Id);
        var running = await SubmitAsync(client, manager, "sleep", new { ms = 600_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);
        var pending = await SubmitAsync(client, manager, "echo");
        var cancelled = await SubmitAsync(client, manager, "echo");
        client.Send(manager, new CancelJob(cancelled.Id));
        await client.ExpectMsgAsync(new CancelJobResult(cancelled.Id, true, null), Reply);

        client.Send(manager, ClearCompletedJobs.Instance);
        await client.ExpectMsgAsync(new CompletedJobsCleared(3), Reply);

        var left = await GetAllJobsAsync(client, manager);
        Assert.Equal([running.Id, pending.Id], left.Select(job => job.Id));
        Assert.Equal([JobStatus.Running, JobStatus.Pending], left.Select(job => job.Status));
        Assert.Null(await GetJobAsync(client, manager, completed.Id));
        Assert.Null(await GetJobAsync(client, manager, failed.Id));
        Assert.Null(await GetJobAsync(client, manager, cancelled.Id));

        client.Send(manager, ClearCompletedJobs.Instance);
        await client.ExpectMsgAsync(new CompletedJobsCleared(0), Reply);
    }
}
