using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>
/// Jobs sent ahead to a busy node (WorkerConfig.PipelineDepth): a cancel never touches a job it was not aimed at,
/// a node that dies gives back the jobs it had not started, and each job's events keep their order. Most specs hold
/// a fixed depth (no PipelineWindow), so that long jobs go ahead too; the last ones are about the window.
/// </summary>
public sealed class PipelineSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    [Fact]
    public async Task Should_cancel_a_job_waiting_on_a_node_without_touching_the_running_one()
    {
        var manager = await StartManagerAsync(Fixed(2));
        var running = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var started = await NextOfJobAsync<JobStarted>(Events, running.Id);
        // Sent ahead as it is accepted (same plugin as the running job): the cancel below follows it to the node.
        var waiting = await SubmitAsync(manager, "sleep", """{"ms":1}""");

        var result = await CancelAsync(manager, waiting.Id);

        Assert.True(result.Cancelled, result.Reason);
        await NextOfJobAsync<JobCancelled>(Events, waiting.Id);
        var cancelled = await GetJobAsync(manager, waiting.Id);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Null(cancelled.StartedAt); // it never ran
        var stillRunning = await GetJobAsync(manager, running.Id);
        Assert.Equal((JobStatus.Running, started.WorkerPid), (stillRunning.Status, stillRunning.WorkerPid));
        Assert.Single(Launcher.Nodes);
        Assert.False(Launcher.Nodes[0].Exited.IsCompleted);
    }

    [Fact]
    public async Task Should_run_the_next_job_on_the_same_node_after_a_waiting_one_was_cancelled()
    {
        var manager = await StartManagerAsync(Fixed(3));
        // Long enough that the cancel reaches the node while the job still runs, even on a loaded machine.
        var running = await SubmitAsync(manager, "sleep", """{"ms":2000}""");
        var started = await NextOfJobAsync<JobStarted>(Events, running.Id);
        var dropped = await SubmitAsync(manager, "sleep", """{"ms":1}""");
        var next = await SubmitAsync(manager, "sleep", """{"ms":2}""");

        Assert.True((await CancelAsync(manager, dropped.Id)).Cancelled);

        await NextOfJobAsync<JobCompleted>(Events, running.Id);
        var nextStarted = await NextOfJobAsync<JobStarted>(Events, next.Id);
        await NextOfJobAsync<JobCompleted>(Events, next.Id);
        Assert.Equal(started.WorkerPid, nextStarted.WorkerPid);
        Assert.Null((await GetJobAsync(manager, dropped.Id)).StartedAt);
    }

    [Fact]
    public async Task Should_put_back_in_the_queue_the_jobs_a_dead_node_had_not_started()
    {
        var manager = await StartManagerAsync(Fixed(4));
        var crashed = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var first = await NextOfJobAsync<JobStarted>(Events, crashed.Id);
        var second = await SubmitAsync(manager, "sleep", """{"ms":1}""");
        var third = await SubmitAsync(manager, "sleep", """{"ms":2}""");

        Launcher.Nodes[0].Crash(134);

        var failed = await NextOfJobAsync<JobFailed>(Events, crashed.Id);
        Assert.Contains("134", failed.Error);
        // Neither failed nor lost: both run, in their order, on the slot's new node.
        var secondStarted = await NextOfJobAsync<JobStarted>(Events, second.Id);
        await NextOfJobAsync<JobCompleted>(Events, second.Id);
        var thirdStarted = await NextOfJobAsync<JobStarted>(Events, third.Id);
        await NextOfJobAsync<JobCompleted>(Events, third.Id);
        Assert.NotEqual(first.WorkerPid, secondStarted.WorkerPid);
        Assert.Equal(secondStarted.WorkerPid, thirdStarted.WorkerPid);
    }

    [Fact]
    public async Task Should_put_back_in_the_queue_the_waiting_jobs_when_the_running_one_is_cancelled()
    {
        var manager = await StartManagerAsync(Fixed(2));
        var running = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var first = await NextOfJobAsync<JobStarted>(Events, running.Id);
        var waiting = await SubmitAsync(manager, "sleep", """{"ms":1}""");

        Assert.True((await CancelAsync(manager, running.Id)).Cancelled);

        await NextOfJobAsync<JobCancelled>(Events, running.Id);
        var started = await NextOfJobAsync<JobStarted>(Events, waiting.Id);
        await NextOfJobAsync<JobCompleted>(Events, waiting.Id);
        Assert.NotEqual(first.WorkerPid, started.WorkerPid);
    }

    [Fact]
    public async Task Should_keep_each_pipelined_job_s_events_in_order()
    {
        const int count = 30;
        var manager = await StartManagerAsync(Fixed(4));
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
            ids.Add((await SubmitAsync(manager, "echo", $$"""{"text":"{{i}}"}""")).Id);

        var events = new List<IJobEvent>();
        while (events.OfType<JobCompleted>().Count() < count)
        {
            if (await Events.ReceiveOneAsync(Slow) is IJobEvent e)
                events.Add(e);
        }

        foreach (var id in ids)
        {
            var kinds = events.Where(e => e.JobId == id).Select(e => e.GetType().Name).ToList();
            Assert.Equal(["JobQueued", "JobStarted", "JobCompleted"], kinds);
        }
        // One node runs them in submission order; a job starts only after the one before it ended.
        Assert.Equal(ids, events.OfType<JobStarted>().Select(e => e.JobId).ToList());
        var order = events.Where(e => e is JobStarted or JobCompleted).Select(e => (e.GetType().Name, e.JobId)).ToList();
        for (var i = 0; i < count; i++)
            Assert.Equal([("JobStarted", ids[i]), ("JobCompleted", ids[i])], order.Skip(2 * i).Take(2));
    }

    [Fact]
    public async Task Should_keep_a_job_in_the_queue_while_every_node_runs_a_long_one_and_give_it_to_the_first_free()
    {
        // The default window (20 ms): once sleep's run time is known to be long, nothing goes ahead of a sleep job.
        var manager = await StartManagerAsync(new WorkerConfig { MaxWorkers = 2 });
        var known = await SubmitAsync(manager, "sleep", """{"ms":200}""");
        await NextOfJobAsync<JobCompleted>(Events, known.Id);
        var longJob = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var onLong = await NextOfJobAsync<JobStarted>(Events, longJob.Id);
        var shortJob = await SubmitAsync(manager, "sleep", """{"ms":500}""");
        var onShort = await NextOfJobAsync<JobStarted>(Events, shortJob.Id);
        Assert.NotEqual(onLong.WorkerId, onShort.WorkerId);

        var next = await SubmitAsync(manager, "sleep", """{"ms":1}""");

        // With a fixed depth it would have gone ahead to the node that took a job least recently, the long job's, and
        // waited there for 30 s.
        await NextOfJobAsync<JobCompleted>(Events, shortJob.Id);
        var started = await NextOfJobAsync<JobStarted>(Events, next.Id);
        Assert.Equal(onShort.WorkerId, started.WorkerId);
        await NextOfJobAsync<JobCompleted>(Events, next.Id);
        Assert.Equal(JobStatus.Running, (await GetJobAsync(manager, longJob.Id)).Status);
    }

    /// <summary>A fixed depth: jobs go ahead whatever their run time.</summary>
    private static WorkerConfig Fixed(int depth) => new() { PipelineDepth = depth, PipelineWindow = null };
}
