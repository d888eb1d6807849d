using System.Text.Json;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>What a submission must pass to become a job, and idempotent submission by a caller-chosen id.</summary>
public class SubmissionSpecs(ITestOutputHelper output) : WorkersSpec("submission-specs", output)
{
    [Fact]
    public async Task Should_reject_an_unknown_plugin_naming_it_and_the_known_ones()
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");

        var reason = await SubmitRejectedAsync(client, manager, new StartJob("no-such-plugin", Parameters(new { })));

        Assert.Contains("\"no-such-plugin\"", reason);
        foreach (var known in new[] { "echo", "tokens", "busy", "sleep", "fail", "crash", "alloc", "markov", "mandelbrot" })
            Assert.Contains(known, reason);
        Assert.Empty(await GetAllJobsAsync(client, manager));
    }

    [Fact]
    public async Task Should_reject_parameters_that_are_not_a_json_object()
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");
        using var array = JsonDocument.Parse("""["text", "hello"]""");

        var reason = await SubmitRejectedAsync(client, manager, new StartJob("echo", array.RootElement.Clone()));

        Assert.Contains("JSON object", reason);
        Assert.Contains("Array", reason);
        Assert.Empty(await GetAllJobsAsync(client, manager));
    }

    [Fact]
    public async Task Should_reject_a_job_when_the_queue_is_full()
    {
        var manager = await StartManagerAsync(Options(new WorkerConfig { MaxWorkers = 1, RequestQueueSize = 1 }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // The only slot is taken by a long job; one more job fills the queue of one.
        var running = await SubmitAsync(client, manager, "sleep", new { ms = 600_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);
        var pending = await SubmitAsync(client, manager, "echo");

        var reason = await SubmitRejectedAsync(client, manager, new StartJob("echo", Parameters(new { text = "one too many" })));

        Assert.Contains("RequestQueueSize", reason);
        Assert.Equal([running.Id, pending.Id], (await GetAllJobsAsync(client, manager)).Select(job => job.Id));
    }

    [Fact]
    public async Task Should_accept_the_same_caller_chosen_id_twice_as_one_job_that_runs_once()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var options = new JobOptions { JobId = "x" };

        var first = await SubmitAsync(client, manager, "echo", new { text = "once" }, options);
        var second = await SubmitAsync(client, manager, "echo", new { text = "once" }, options);
        // One slot runs jobs in submission order: had "x" been queued twice, its second run would come before this one.
        var after = await SubmitAsync(client, manager, "echo", new { text = "after" });
        var events = await ReceiveUntilEndedAsync(subscriber, ["x", after.Id]);

        Assert.Equal("x", first.Id);
        Assert.Equal("x", second.Id);
        Assert.Equal(
            [typeof(JobQueued), typeof(JobStarted), typeof(JobCompleted)],
            events.Where(e => e.JobId == "x").Select(e => e.GetType()));
        Assert.Equal(["x", after.Id], (await GetAllJobsAsync(client, manager)).Select(job => job.Id));

        // Submitting the id again after it finished still returns that job, with its result.
        var again = await SubmitAsync(client, manager, "echo", new { text = "once" }, options);
        Assert.Equal("x", again.Id);
        Assert.Equal(JobStatus.Completed, again.Status);
        Assert.Equal("once", again.Result?.GetProperty("text").GetString());
        var marker = await SubmitAsync(client, manager, "echo", new { text = "marker" });
        var later = await ReceiveAllUntilEndedAsync(subscriber, marker.Id);
        Assert.DoesNotContain(later, e => e.JobId == "x");
    }

    [Fact]
    public async Task Should_reject_a_caller_chosen_id_already_used_by_another_plugin()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var options = new JobOptions { JobId = "taken" };
        await SubmitAsync(client, manager, "echo", new { text = "first" }, options);

        var reason = await SubmitRejectedAsync(client, manager, new StartJob("sleep", Parameters(new { ms = 1 }), options));

        Assert.Contains("\"taken\"", reason);
        Assert.Contains("echo", reason);
        await ExpectEndAsync<JobCompleted>(subscriber, "taken");
    }

    [Fact]
    public async Task Should_run_a_job_resubmitted_with_a_higher_priority_under_the_id_of_a_cleared_cancelled_job()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var running = await SubmitAsync(client, manager, "sleep", new { ms = 3_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);

        // "again" is queued behind the sleep, cancelled, forgotten, and submitted anew while the sleep still runs.
        await SubmitAsync(client, manager, "echo", new { text = "cancelled" }, new JobOptions { JobId = "again" });
        client.Send(manager, new CancelJob("again"));
        await client.ExpectMsgAsync(new CancelJobResult("again", true, null), Reply);
        client.Send(manager, ClearCompletedJobs.Instance);
        await client.ExpectMsgAsync(new CompletedJobsCleared(1), Reply);
        var resubmitted = await SubmitAsync(client, manager, "echo", new { text = "resubmitted" }, new JobOptions { JobId = "again", Priority = 1 });
        Assert.Equal(JobStatus.Pending, resubmitted.Status);

        await ExpectEndAsync<JobCompleted>(subscriber, running.Id);
        // The manager dispatched "again" when the sleep ended; it still knows both jobs (it did not crash and restart).
        Assert.Equal([running.Id, "again"], (await GetAllJobsAsync(client, manager)).Select(job => job.Id));
        await ExpectJobEventAsync<JobStarted>(subscriber, "again");
        var completed = await ExpectEndAsync<JobCompleted>(subscriber, "again");
        Assert.Equal("resubmitted", completed.Result.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_never_run_a_job_cancelled_twice_under_the_id_of_a_cleared_cancelled_job()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var running = await SubmitAsync(client, manager, "sleep", new { ms = 3_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);

        foreach (var text in new[] { "first", "second" })
        {
            await SubmitAsync(client, manager, "echo", new { text }, new JobOptions { JobId = "again" });
            client.Send(manager, new CancelJob("again"));
            await client.ExpectMsgAsync(new CancelJobResult("again", true, null), Reply);
            client.Send(manager, ClearCompletedJobs.Instance);
            await client.ExpectMsgAsync(new CompletedJobsCleared(1), Reply);
        }
        await ExpectEndAsync<JobCompleted>(subscriber, running.Id);

        // The manager dispatched what was left when the sleep ended; it still knows its job (it did not crash and restart).
        Assert.Equal([running.Id], (await GetAllJobsAsync(client, manager)).Select(job => job.Id));
        var marker = await SubmitAsync(client, manager, "echo", new { text = "marker" });
        var events = await ReceiveAllUntilEndedAsync(subscriber, marker.Id);
        Assert.DoesNotContain(events, e => e.JobId == "again");
        Assert.Equal([running.Id, marker.Id], (await GetAllJobsAsync(client, manager)).Select(job => job.Id));
    }
}
