using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>Who hears which events: per-job and all-jobs subscribers, unsubscribing, terminated subscribers.</summary>
public sealed class SubscriptionSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Should_deliver_to_a_per_job_subscriber_the_events_of_its_job_only()
    {
        var manager = await StartManagerAsync();
        var subscriber = await SubscribeAsync(manager, "mine");

        await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = "other" });
        await NextOfJobAsync<JobCompleted>(Events, "other");
        await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = "mine" });

        Assert.Equal(new JobQueued("mine", "echo"), await subscriber.ExpectMsgAsync<JobQueued>());
        Assert.Equal("mine", (await subscriber.ExpectMsgAsync<JobStarted>()).JobId);
        Assert.Equal("mine", (await subscriber.ExpectMsgAsync<JobCompleted>()).JobId);
        await subscriber.ExpectNoMsgAsync(Quiet); // no worker events, nothing of job "other"
    }

    [Fact]
    public async Task Should_tell_a_subscriber_to_a_finished_job_how_it_ended()
    {
        var manager = await StartManagerAsync();
        var job = await SubmitAsync(manager, "fail", """{"message":"too late"}""");
        await NextOfJobAsync<JobFailed>(Events, job.Id);

        var late = await SubscribeAsync(manager, job.Id);

        Assert.Equal(new JobFailed(job.Id, "too late"), await late.ExpectMsgAsync<JobFailed>());
        await late.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Should_deliver_every_job_and_worker_event_to_an_all_jobs_subscriber()
    {
        var manager = await StartManagerAsync();

        var first = await SubmitAsync(manager, "echo");
        var second = await SubmitAsync(manager, "fail");

        Assert.IsType<JobQueued>(await Events.ExpectMsgAsync<IJobEvent>(e => e.JobId == first.Id));
        Assert.IsType<JobQueued>(await Events.ExpectMsgAsync<IJobEvent>(e => e.JobId == second.Id));
        var workerStarted = await Events.ExpectMsgAsync<WorkerStarted>(Slow);
        Assert.Equal(Launcher.Nodes.Single().Pid, workerStarted.Pid);
        Assert.IsType<JobStarted>(await Events.ExpectMsgAsync<IJobEvent>(e => e.JobId == first.Id, Slow));
        Assert.IsType<JobCompleted>(await Events.ExpectMsgAsync<IJobEvent>(e => e.JobId == first.Id, Slow));
        Assert.IsType<JobStarted>(await Events.ExpectMsgAsync<IJobEvent>(e => e.JobId == second.Id, Slow));
        Assert.IsType<JobFailed>(await Events.ExpectMsgAsync<IJobEvent>(e => e.JobId == second.Id, Slow));
        await Events.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Should_deliver_each_event_once_to_an_actor_subscribed_both_ways()
    {
        var manager = await StartManagerAsync(subscribeEvents: false);
        var subscriber = await SubscribeAsync(manager, jobId: null);
        manager.Tell(new SubscribeToJobEvents(subscriber.Ref, "both"), Client.Ref);
        await Client.ExpectMsgAsync<SubscribedToJobEvents>();

        await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = "both" });

        await subscriber.ExpectMsgAsync<JobQueued>();
        await subscriber.ExpectMsgAsync<WorkerStarted>(Slow);
        await subscriber.ExpectMsgAsync<JobStarted>(Slow);
        await subscriber.ExpectMsgAsync<JobCompleted>(Slow);
        await subscriber.ExpectNoMsgAsync(Quiet);

        // Its per-job subscription ended with the job; it still hears everything else once.
        await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = "later" });
        await subscriber.ExpectMsgAsync<JobQueued>();
        await subscriber.ExpectMsgAsync<JobStarted>(Slow);
        await subscriber.ExpectMsgAsync<JobCompleted>(Slow);
        await subscriber.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Should_stop_delivering_after_unsubscribe()
    {
        var manager = await StartManagerAsync();
        var subscriber = await SubscribeAsync(manager, jobId: null);
        manager.Tell(new SubscribeToJobEvents(subscriber.Ref, "second"), Client.Ref);
        await Client.ExpectMsgAsync<SubscribedToJobEvents>();
        var first = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(subscriber, first.Id);

        manager.Tell(new UnsubscribeFromJobEvents(subscriber.Ref), Client.Ref);
        await Client.ExpectMsgAsync<UnsubscribedFromJobEvents>();
        await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = "second" });
        await NextOfJobAsync<JobCompleted>(Events, "second");

        await subscriber.ExpectNoMsgAsync(Quiet); // neither as an all-jobs nor as a per-job subscriber
    }

    [Fact]
    public async Task Should_forget_a_subscriber_that_terminated()
    {
        var manager = await StartManagerAsync();
        var deadLetters = CreateTestProbe("dead-letters");
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var doomed = await SubscribeAsync(manager, jobId: null);
        manager.Tell(new SubscribeToJobEvents(doomed.Ref, "after-death"), Client.Ref);
        await Client.ExpectMsgAsync<SubscribedToJobEvents>();
        var before = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(doomed, before.Id);

        Watch(doomed.Ref);
        Sys.Stop(doomed.Ref);
        await ExpectTerminatedAsync(doomed.Ref);
        // The manager hears of the death too, but turns it into a Terminated message at the back of its mailbox: two
        // round trips make sure it has handled it before the next job is published.
        for (var i = 0; i < 2; i++)
        {
            manager.Tell(GetWorkers.Instance, Client.Ref);
            await Client.ExpectMsgAsync<WorkersInfo>();
        }
        await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = "after-death" });
        await NextOfJobAsync<JobCompleted>(Events, "after-death");
        manager.Tell(GetWorkers.Instance, Client.Ref);
        await Client.ExpectMsgAsync<WorkersInfo>(); // the manager keeps working

        // Nothing was sent to the dead subscriber: it was removed, not merely ignored.
        await AssertNoDeadLettersToAsync(deadLetters, doomed.Ref);
    }

    private async Task<TestProbe> SubscribeAsync(IActorRef manager, string? jobId)
    {
        var subscriber = CreateTestProbe();
        manager.Tell(new SubscribeToJobEvents(subscriber.Ref, jobId), Client.Ref);
        Assert.Equal(jobId, (await Client.ExpectMsgAsync<SubscribedToJobEvents>()).JobId);
        return subscriber;
    }

    private static async Task AssertNoDeadLettersToAsync(TestProbe deadLetters, IActorRef recipient)
    {
        while (await deadLetters.TryReceiveOneAsync(Quiet) is (true, var envelope))
        {
            if (envelope.Message is DeadLetter letter && letter.Recipient.Equals(recipient))
                Assert.Fail($"{letter.Message} was sent to the terminated subscriber.");
        }
    }
}
