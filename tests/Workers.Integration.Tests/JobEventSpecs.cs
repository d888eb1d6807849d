using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>Subscribers hear the events of a job in the order they happened.</summary>
public class JobEventSpecs(ITestOutputHelper output) : WorkersSpec("job-event-specs", output)
{
    [Fact]
    public async Task Should_deliver_queued_started_completed_in_order_to_a_subscriber_of_a_caller_chosen_job_id()
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");
        const string jobId = "events-in-order";
        var subscriber = await SubscribeAsync(manager, jobId);

        var job = await SubmitAsync(client, manager, "echo", new { text = "in order" }, new JobOptions { JobId = jobId });

        Assert.Equal(jobId, job.Id);
        Assert.Equal(JobStatus.Pending, job.Status);
        await subscriber.ExpectMsgAsync(new JobQueued(jobId, "echo"), Reply);
        var started = await subscriber.ExpectMsgAsync<JobStarted>(NodeStart);
        Assert.Equal(jobId, started.JobId);
        Assert.Equal("echo", started.PluginId);
        var completed = await subscriber.ExpectMsgAsync<JobCompleted>(NodeStart);
        Assert.Equal(jobId, completed.JobId);
        Assert.Equal("in order", completed.Result.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_deliver_each_jobs_events_in_order_to_an_all_jobs_subscriber_and_run_jobs_in_submission_order()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var jobs = new List<JobSnapshot>();
        for (var i = 0; i < 3; i++)
            jobs.Add(await SubmitAsync(client, manager, "echo", new { text = $"job {i}" }));
        var events = await ReceiveUntilEndedAsync(subscriber, [.. jobs.Select(job => job.Id)]);

        foreach (var job in jobs)
        {
            Assert.Equal(
                [typeof(JobQueued), typeof(JobStarted), typeof(JobCompleted)],
                events.Where(e => e.JobId == job.Id).Select(e => e.GetType()));
        }
        // One slot, equal priorities: first in, first run.
        Assert.Equal(jobs.Select(job => job.Id), events.OfType<JobStarted>().Select(e => e.JobId));
    }

    [Fact]
    public async Task Should_deliver_each_event_once_to_an_actor_subscribed_both_to_all_jobs_and_to_the_job()
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");
        var subscriber = await SubscribeAsync(manager);
        subscriber.Send(manager, new SubscribeToJobEvents(subscriber.Ref, "twice-subscribed"));
        await subscriber.ExpectMsgAsync(new SubscribedToJobEvents("twice-subscribed"), Reply);

        await SubmitAsync(client, manager, "echo", new { text = "once" }, new JobOptions { JobId = "twice-subscribed" });
        var events = await ReceiveUntilEndedAsync(subscriber, ["twice-subscribed"]);
        var marker = await SubmitAsync(client, manager, "echo", new { text = "marker" });
        var later = await ReceiveAllUntilEndedAsync(subscriber, marker.Id);

        Assert.Equal([typeof(JobQueued), typeof(JobStarted), typeof(JobCompleted)], events.Select(e => e.GetType()));
        Assert.DoesNotContain(later, e => e.JobId == "twice-subscribed");
    }

    [Fact]
    public async Task Should_start_pending_jobs_by_priority_then_in_submission_order()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        // The only slot is busy for a few seconds while the next jobs queue up behind it.
        var running = await SubmitAsync(client, manager, "sleep", new { ms = 3_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);

        var low = await SubmitAsync(client, manager, "echo", new { text = "low" });
        var high = await SubmitAsync(client, manager, "echo", new { text = "high" }, new JobOptions { Priority = 5 });
        var lowToo = await SubmitAsync(client, manager, "echo", new { text = "low too" });
        var middle = await SubmitAsync(client, manager, "echo", new { text = "middle" }, new JobOptions { Priority = 1 });
        var events = await ReceiveUntilEndedAsync(subscriber, [running.Id, low.Id, high.Id, lowToo.Id, middle.Id]);

        Assert.Equal(
            [high.Id, middle.Id, low.Id, lowToo.Id],
            events.OfType<JobStarted>().Select(e => e.JobId));
    }
}
