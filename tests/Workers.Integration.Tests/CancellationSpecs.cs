using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// Cancelling a pending job removes it from the queue (or from the queue of the node it was sent ahead to) and kills
/// nothing; cancelling a running one kills its node,
/// the only cancellation that also stops code that never looks at a token.
/// </summary>
public class CancellationSpecs(ITestOutputHelper output) : WorkersSpec("cancellation-specs", output)
{
    [Fact]
    public async Task Should_cancel_a_pending_job_without_touching_the_running_one()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // A few seconds: the cancel below takes milliseconds, and the sleep must still finish on its own.
        var running = await SubmitAsync(client, manager, "sleep", new { ms = 3_000 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);
        var pending = await SubmitAsync(client, manager, "echo");

        client.Send(manager, new CancelJob(pending.Id));
        await client.ExpectMsgAsync(new CancelJobResult(pending.Id, true, null), Reply);
        var events = await ReceiveUntilEndedAsync(subscriber, [running.Id, pending.Id]);

        Assert.Equal([typeof(JobQueued), typeof(JobCancelled)], events.Where(e => e.JobId == pending.Id).Select(e => e.GetType()));
        // The cancel happened while the sleep ran, and the sleep then completed on the same node.
        Assert.Equal(
            [(typeof(JobCancelled), pending.Id), (typeof(JobCompleted), running.Id)],
            events.Where(e => e is JobCancelled or JobCompleted or JobFailed).Select(e => (e.GetType(), e.JobId)));
        Assert.Equal(JobStatus.Cancelled, (await GetJobAsync(client, manager, pending.Id))?.Status);
        var sleep = await GetJobAsync(client, manager, running.Id);
        Assert.Equal(JobStatus.Completed, sleep?.Status);
        Assert.Equal(started.WorkerPid, sleep?.WorkerPid);
        Assert.False(NodeProcesses.HasExited(started.WorkerPid));
        var (next, _) = await RunEchoAsync(client, subscriber, manager);
        Assert.Equal(started.WorkerPid, next.WorkerPid);
    }

    [Fact]
    public async Task Should_cancel_a_job_held_by_a_busy_node_without_touching_the_running_one()
    {
        // A fixed depth: busy's run time is not known yet, and a job that long would not go ahead by the default window.
        var manager = await StartManagerAsync(Options(new WorkerConfig { PipelineWindow = null }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // busy never looks at a token: had the cancel reached it, only a kill would have stopped it.
        var running = await SubmitAsync(client, manager, "busy", new { ms = 3_000 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, running.Id);
        // Same plugin, every slot busy: sent ahead to the node, where it waits behind the running job.
        var held = await SubmitAsync(client, manager, "busy", new { ms = 1 });
        var after = await SubmitAsync(client, manager, "busy", new { ms = 1 });

        client.Send(manager, new CancelJob(held.Id));
        await client.ExpectMsgAsync(new CancelJobResult(held.Id, true, null), Reply);
        var events = await ReceiveUntilEndedAsync(subscriber, [running.Id, held.Id, after.Id]);

        Assert.Equal([typeof(JobQueued), typeof(JobCancelled)], events.Where(e => e.JobId == held.Id).Select(e => e.GetType()));
        Assert.Equal(
            [(typeof(JobCancelled), held.Id), (typeof(JobCompleted), running.Id), (typeof(JobCompleted), after.Id)],
            events.Where(e => e is JobCancelled or JobCompleted or JobFailed).Select(e => (e.GetType(), e.JobId)));
        Assert.Equal(started.WorkerPid, (await GetJobAsync(client, manager, running.Id))?.WorkerPid);
        Assert.Equal(started.WorkerPid, (await GetJobAsync(client, manager, after.Id))?.WorkerPid);
        Assert.False(NodeProcesses.HasExited(started.WorkerPid));
    }

    [Fact]
    public async Task Should_cancel_a_running_job_by_killing_its_node()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // busy never looks at its cancellation token: only killing the process stops it.
        var job = await SubmitAsync(client, manager, "busy", new { ms = 60_000 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);

        client.Send(manager, new CancelJob(job.Id));
        await client.ExpectMsgAsync(new CancelJobResult(job.Id, true, null), NodeStart);

        // The answer comes once the process is gone.
        Assert.True(NodeProcesses.HasExited(started.WorkerPid), $"node pid {started.WorkerPid} should have exited");
        await ExpectEndAsync<JobCancelled>(subscriber, job.Id);
        var snapshot = await GetJobAsync(client, manager, job.Id);
        Assert.Equal(JobStatus.Cancelled, snapshot?.Status);
        Assert.Null(snapshot?.Error);

        var (next, _) = await RunEchoAsync(client, subscriber, manager);
        Assert.NotEqual(started.WorkerPid, next.WorkerPid);
    }

    [Fact]
    public async Task Should_not_cancel_an_unknown_job_or_a_finished_one_and_say_why()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        client.Send(manager, new CancelJob("no-such-job"));
        var unknown = await client.ExpectMsgAsync<CancelJobResult>(Reply);
        Assert.Equal("no-such-job", unknown.JobId);
        Assert.False(unknown.Cancelled);
        Assert.Contains("no-such-job", unknown.Reason);

        var job = await SubmitAsync(client, manager, "echo");
        await ExpectEndAsync<JobCompleted>(subscriber, job.Id);
        client.Send(manager, new CancelJob(job.Id));
        var finished = await client.ExpectMsgAsync<CancelJobResult>(Reply);
        Assert.Equal(job.Id, finished.JobId);
        Assert.False(finished.Cancelled);
        Assert.Contains("completed", finished.Reason);
        Assert.Equal(JobStatus.Completed, (await GetJobAsync(client, manager, job.Id))?.Status);
    }

    [Fact]
    public async Task Should_cancel_a_streaming_job_and_deliver_no_chunk_of_it_afterwards()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var job = await SubmitAsync(client, manager, "tokens", new { count = 1_000_000, delayMs = 1 }, new JobOptions { Stream = true });
        await ExpectJobEventAsync<JobChunk>(subscriber, job.Id);

        client.Send(manager, new CancelJob(job.Id));
        await client.ExpectMsgAsync(new CancelJobResult(job.Id, true, null), NodeStart);
        var tail = await ReceiveUntilEndedAsync(subscriber, [job.Id]);
        var marker = await SubmitAsync(client, manager, "echo", new { text = "marker" });
        var later = await ReceiveAllUntilEndedAsync(subscriber, marker.Id);

        Assert.IsType<JobCancelled>(tail[^1]);
        Assert.DoesNotContain(tail, e => e is JobChunk { IsFinal: true } or JobCompleted);
        Assert.DoesNotContain(later, e => e.JobId == job.Id);
        Assert.Equal(JobStatus.Cancelled, (await GetJobAsync(client, manager, job.Id))?.Status);
    }

    [Fact]
    public async Task Should_kill_the_processes_a_cancelled_job_started_too()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var job = await SubmitAsync(client, manager, "busy", new { ms = 60_000, spawnChild = true });
        var report = await subscriber.FishForMessageAsync<JobProgress>(p => p.JobId == job.Id && p.Message is not null, NodeStart);
        var child = int.Parse(report.Message!["child pid ".Length..]);
        Nodes.Add(child, "child of a busy job");
        Assert.False(NodeProcesses.HasExited(child));

        client.Send(manager, new CancelJob(job.Id));
        Assert.True((await client.ExpectMsgAsync<CancelJobResult>(NodeStart)).Cancelled);

        await AwaitConditionAsync(() => Task.FromResult(NodeProcesses.HasExited(child)), Reply);
    }
}
