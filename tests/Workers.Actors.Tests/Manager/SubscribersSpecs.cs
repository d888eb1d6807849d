using Workers.Actors.Manager;
using Workers.Actors.Tests.Fakes;

namespace Workers.Actors.Tests.Manager;

public sealed class SubscribersSpecs
{
    private readonly Subscribers _subscribers = new();
    private readonly RecordingActorRef _all = new("all");
    private readonly RecordingActorRef _jobA = new("job-a");
    private readonly RecordingActorRef _manager = new("manager");

    [Fact]
    public void Should_start_empty()
    {
        Assert.False(_subscribers.HasAny);
        Assert.False(_subscribers.IsKnown(_all));
    }

    [Fact]
    public void Should_send_job_events_to_all_jobs_subscribers_and_to_the_job_s_own()
    {
        _subscribers.Add(_all, null);
        _subscribers.Add(_jobA, "a");

        _subscribers.Publish(new JobQueued("a", "echo"), _manager);
        _subscribers.Publish(new JobQueued("b", "echo"), _manager);

        Assert.Equal([new JobQueued("a", "echo"), new JobQueued("b", "echo")], _all.Received);
        Assert.Equal([new JobQueued("a", "echo")], _jobA.Received);
    }

    [Fact]
    public void Should_send_worker_events_to_all_jobs_subscribers_only()
    {
        _subscribers.Add(_all, null);
        _subscribers.Add(_jobA, "a");

        _subscribers.Publish(new WorkerStarted("worker-1", 100000), _manager);

        Assert.Equal([new WorkerStarted("worker-1", 100000)], _all.Received);
        Assert.Empty(_jobA.Received);
    }

    [Fact]
    public void Should_send_each_event_once_to_an_actor_subscribed_both_ways()
    {
        _subscribers.Add(_all, null);
        _subscribers.Add(_all, "a");
        _subscribers.Add(_all, null); // twice the same way is still once

        _subscribers.Publish(new JobCancelled("a"), _manager);

        Assert.Equal([new JobCancelled("a")], _all.Received);
    }

    [Fact]
    public void Should_forget_an_actor_everywhere()
    {
        _subscribers.Add(_all, null);
        _subscribers.Add(_all, "a");
        _subscribers.Add(_all, "b");

        _subscribers.RemoveEverywhere(_all);

        Assert.False(_subscribers.IsKnown(_all));
        Assert.False(_subscribers.HasAny);
        _subscribers.Publish(new JobCancelled("a"), _manager);
        _subscribers.Publish(new WorkerFailed("worker-1", "gone"), _manager);
        Assert.Empty(_all.Received);
    }

    [Fact]
    public void Should_drop_the_subscribers_of_an_ended_job_and_return_them()
    {
        _subscribers.Add(_jobA, "a");
        _subscribers.Add(_all, null);
        _subscribers.Add(_all, "a");

        var dropped = _subscribers.DropJob("a");

        Assert.Equal(2, dropped.Count);
        Assert.Contains(_jobA, dropped);
        Assert.False(_subscribers.IsKnown(_jobA)); // can be unwatched
        Assert.True(_subscribers.IsKnown(_all)); // still an all-jobs subscriber: keep watching
        Assert.Empty(_subscribers.DropJob("a"));
        _subscribers.Publish(new JobCancelled("a"), _manager);
        Assert.Empty(_jobA.Received);
    }
}
