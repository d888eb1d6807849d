using Workers.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>The job table, the queue and the slots of a manager, with nodes started in-process.</summary>
public sealed class JobManagerSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    [Fact]
    public async Task Should_run_queued_jobs_by_priority_then_in_submission_order()
    {
        var manager = await StartManagerAsync();
        // Pre-fill the only slot so that the next jobs wait in the queue.
        var blocker = await SubmitAsync(manager, "sleep", """{"ms":1500}""");
        await NextOfJobAsync<JobStarted>(Events, blocker.Id);

        foreach (var (id, priority) in new[] { ("p0", 0), ("p5-first", 5), ("p5-second", 5), ("p1", 1) })
            await SubmitAsync(manager, "echo", """{"text":"x"}""", new JobOptions { JobId = id, Priority = priority });
        var queued = await GetAllJobsAsync(manager);
        Assert.Equal(JobStatus.Running, queued[0].Status); // else the test proves nothing: the jobs did queue
        Assert.All(queued.Skip(1), job => Assert.Equal(JobStatus.Pending, job.Status));

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
            order.Add((await NextAsync<JobStarted>(Events, started => started.JobId != blocker.Id)).JobId);

        Assert.Equal(["p5-first", "p5-second", "p1", "p0"], order);
    }

    [Fact]
    public async Task Should_start_a_node_only_when_a_job_needs_it()
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxWorkers = 2 });
        Assert.Equal(["NotStarted", "NotStarted"], States(await GetWorkersAsync(manager)));
        Assert.Empty(Launcher.Nodes);

        var job = await SubmitAsync(manager, "sleep", """{"ms":600}""");
        var starting = await GetWorkersAsync(manager);
        Assert.Equal(["Starting", "NotStarted"], States(starting)); // one job waiting: one node, not two
        Assert.Null(starting[0].Pid);

        var started = await NextOfJobAsync<JobStarted>(Events, job.Id);
        var busy = await GetWorkersAsync(manager);
        Assert.Equal(["Busy", "NotStarted"], States(busy));
        Assert.Equal(job.Id, busy[0].CurrentJobId);
        Assert.Equal(started.WorkerPid, busy[0].Pid);
        Assert.Equal(Launcher.Nodes.Single().Pid, busy[0].Pid);
        Assert.Contains("echo", busy[0].Plugins);

        await NextOfJobAsync<JobCompleted>(Events, job.Id);
        var idle = await GetWorkersAsync(manager);
        Assert.Equal(["Idle", "NotStarted"], States(idle));
        Assert.Null(idle[0].CurrentJobId);
        Assert.Equal(1, idle[0].JobsCompleted);
        Assert.Equal("sleep", idle[0].LoadedPlugin);
        Assert.Single(Launcher.Nodes);
    }

    [Fact]
    public async Task Should_run_as_many_jobs_at_once_as_MaxWorkers()
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxWorkers = 3 });

        var jobs = new List<JobSnapshot>();
        for (var i = 0; i < 3; i++)
            jobs.Add(await SubmitAsync(manager, "sleep", """{"ms":30000}"""));
        var started = new List<JobStarted>();
        for (var i = 0; i < 3; i++)
            started.Add(await NextAsync<JobStarted>(Events));

        Assert.Equal(jobs.Select(job => job.Id).Order(), started.Select(s => s.JobId).Order());
        Assert.Equal(["worker-1", "worker-2", "worker-3"], started.Select(s => s.WorkerId).Order());
        Assert.Equal(3, started.Select(s => s.WorkerPid).Distinct().Count());
        Assert.Equal(["Busy", "Busy", "Busy"], States(await GetWorkersAsync(manager)));
        Assert.Equal(3, Launcher.Nodes.Count);
    }

    [Fact]
    public async Task Should_complete_a_job_with_the_plugin_result()
    {
        var manager = await StartManagerAsync();

        var job = await SubmitAsync(manager, "echo", """{"text":"hello"}""", new JobOptions { Metadata = new Dictionary<string, string> { ["user"] = "ann" } });

        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal("ann", job.Metadata["user"]);
        Assert.Equal(new JobQueued(job.Id, "echo"), await NextOfJobAsync<JobQueued>(Events, job.Id));
        var started = await NextOfJobAsync<JobStarted>(Events, job.Id);
        var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);
        Assert.Equal("hello", completed.Result.GetProperty("text").GetString());
        Assert.Equal("worker-1", completed.Result.GetProperty("metadata").GetProperty("workerId").GetString());

        var snapshot = await GetJobAsync(manager, job.Id);
        Assert.Equal(JobStatus.Completed, snapshot.Status);
        Assert.Equal("worker-1", snapshot.WorkerId);
        Assert.Equal(started.WorkerPid, snapshot.WorkerPid);
        Assert.NotNull(snapshot.StartedAt);
        Assert.NotNull(snapshot.CompletedAt);
        Assert.Equal("hello", snapshot.Result!.Value.GetProperty("text").GetString());
        Assert.Null(snapshot.Error);
    }

    [Fact]
    public async Task Should_fail_a_job_with_the_plugin_error_and_keep_the_node()
    {
        var manager = await StartManagerAsync();

        var failing = await SubmitAsync(manager, "fail", """{"message":"bad input"}""");
        var failed = await NextOfJobAsync<JobFailed>(Events, failing.Id);
        var next = await SubmitAsync(manager, "echo");
        var started = await NextOfJobAsync<JobStarted>(Events, next.Id);
        await NextOfJobAsync<JobCompleted>(Events, next.Id);

        Assert.Equal("bad input", failed.Error);
        Assert.Equal(JobStatus.Failed, (await GetJobAsync(manager, failing.Id)).Status);
        Assert.Equal(Launcher.Nodes.Single().Pid, started.WorkerPid);
    }

    [Fact]
    public async Task Should_stream_every_chunk_in_order_then_complete_with_the_whole_text()
    {
        // A window of 3 chunks: the node must wait for acks many times over the remoting link.
        var manager = await StartManagerAsync(new WorkerConfig { ResultQueueSize = 3 });
        var subscriber = CreateTestProbe("stream-subscriber");
        manager.Tell(new SubscribeToJobEvents(subscriber.Ref, "stream-1"), Client.Ref);
        await Client.ExpectMsgAsync<SubscribedToJobEvents>();

        await SubmitAsync(manager, "tokens", """{"count":200}""", new JobOptions { Stream = true, JobId = "stream-1" });

        var chunks = new List<JobChunk>();
        while (chunks.Count == 0 || !chunks[^1].IsFinal)
            chunks.Add(await NextAsync<JobChunk>(subscriber));
        var completed = await NextAsync<JobCompleted>(subscriber);

        Assert.Equal(Enumerable.Range(0, 201).Select(i => (long)i), chunks.Select(chunk => chunk.Sequence));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"tok{i} "), chunks.SkipLast(1).Select(chunk => chunk.Text));
        Assert.Equal(new JobChunk("stream-1", 200, "", true), chunks[^1]);
        Assert.Equal(string.Concat(Enumerable.Range(0, 200).Select(i => $"tok{i} ")), completed.Result.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_list_all_jobs_in_creation_order()
    {
        var manager = await StartManagerAsync();

        foreach (var (id, priority) in new[] { ("first", 0), ("second", 9), ("third", 5) })
            await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = id, Priority = priority });

        Assert.Equal(["first", "second", "third"], (await GetAllJobsAsync(manager)).Select(job => job.Id));
    }

    [Fact]
    public async Task Should_clear_only_finished_jobs()
    {
        var manager = await StartManagerAsync();
        var done = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(Events, done.Id);
        var failed = await SubmitAsync(manager, "fail");
        await NextOfJobAsync<JobFailed>(Events, failed.Id);
        var running = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id);
        var pending = await SubmitAsync(manager, "echo");
        var cancelled = await SubmitAsync(manager, "echo");
        Assert.True((await CancelAsync(manager, cancelled.Id)).Cancelled);

        manager.Tell(ClearCompletedJobs.Instance, Client.Ref);
        Assert.Equal(3, (await Client.ExpectMsgAsync<CompletedJobsCleared>()).Count);

        Assert.Equal([running.Id, pending.Id], (await GetAllJobsAsync(manager)).Select(job => job.Id));
        manager.Tell(new GetJob(done.Id), Client.Ref);
        Assert.Null((await Client.ExpectMsgAsync<JobInfo>()).Job);
        manager.Tell(ClearCompletedJobs.Instance, Client.Ref);
        Assert.Equal(0, (await Client.ExpectMsgAsync<CompletedJobsCleared>()).Count);
    }

    [Fact]
    public async Task Should_cancel_a_pending_job_without_touching_the_running_one()
    {
        var manager = await StartManagerAsync();
        var running = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var started = await NextOfJobAsync<JobStarted>(Events, running.Id);
        var pending = await SubmitAsync(manager, "echo");

        var result = await CancelAsync(manager, pending.Id);

        Assert.Equal(new CancelJobResult(pending.Id, true, null), result);
        await NextOfJobAsync<JobCancelled>(Events, pending.Id);
        Assert.Equal(JobStatus.Cancelled, (await GetJobAsync(manager, pending.Id)).Status);
        Assert.Equal(JobStatus.Running, (await GetJobAsync(manager, running.Id)).Status);
        var worker = (await GetWorkersAsync(manager)).Single();
        Assert.Equal((WorkerState.Busy, started.WorkerPid, running.Id), (worker.State, worker.Pid!.Value, worker.CurrentJobId));
        Assert.False(Launcher.Nodes.Single().Exited.IsCompleted);
    }

    [Fact]
    public async Task Should_refuse_to_cancel_an_unknown_or_finished_job()
    {
        var manager = await StartManagerAsync();
        var job = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        var unknown = await CancelAsync(manager, "no-such-job");
        var finished = await CancelAsync(manager, job.Id);

        Assert.False(unknown.Cancelled);
        Assert.Contains("Unknown job", unknown.Reason);
        Assert.False(finished.Cancelled);
        Assert.Contains("already completed", finished.Reason);
    }

    [Fact]
    public async Task Should_answer_every_cancel_of_a_running_job_once_its_node_is_gone()
    {
        var manager = await StartManagerAsync(new WorkerConfig { RestartPolicy = RestartPolicy.Never });
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, job.Id);
        var other = CreateTestProbe("other-client");

        manager.Tell(new CancelJob(job.Id), Client.Ref);
        manager.Tell(new CancelJob(job.Id), other.Ref);

        Assert.Equal(new CancelJobResult(job.Id, true, null), await Client.ExpectMsgAsync<CancelJobResult>(Slow));
        Assert.Equal(new CancelJobResult(job.Id, true, null), await other.ExpectMsgAsync<CancelJobResult>(Slow));
        Assert.True(Launcher.Nodes[0].Exited.IsCompleted, "cancelled means the node is gone");
        Assert.Equal(JobStatus.Cancelled, (await GetJobAsync(manager, job.Id)).Status);
        await NextOfJobAsync<JobCancelled>(Events, job.Id);
    }

    [Fact]
    public async Task Should_cancel_a_running_job_and_run_the_next_job_on_a_fresh_node()
    {
        var manager = await StartManagerAsync(); // OnCancellation: the slot is restarted at once
        var running = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var first = await NextOfJobAsync<JobStarted>(Events, running.Id);

        Assert.Equal(new CancelJobResult(running.Id, true, null), await CancelAsync(manager, running.Id));
        await NextOfJobAsync<JobCancelled>(Events, running.Id);
        var exited = await NextAsync<WorkerExited>(Events);
        Assert.Equal(first.WorkerPid, exited.Pid);
        Assert.Equal(InProcessNode.KilledExitCode, await Launcher.Nodes[0].Exited);

        var next = await SubmitAsync(manager, "sleep", """{"ms":1500}""");
        var second = await NextOfJobAsync<JobStarted>(Events, next.Id);
        var completed = await NextAsync<IJobEvent>(Events, e => e.JobId == next.Id && e is JobCompleted or JobFailed);

        Assert.NotEqual(first.WorkerPid, second.WorkerPid);
        // The next job must not pay for the killed node: no failure, no extra node.
        Assert.True(completed is JobCompleted, $"The next job failed: {(completed as JobFailed)?.Error}");
        var worker = (await GetWorkersAsync(manager)).Single();
        Assert.Equal((WorkerState.Idle, second.WorkerPid, 1), (worker.State, worker.Pid!.Value, worker.Restarts));
        Assert.Equal(2, Launcher.Nodes.Count);
    }

    [Fact]
    public async Task Should_not_let_a_late_message_from_a_killed_node_end_the_next_job()
    {
        // A node killed to cancel its job may have sent that job's outcome, or more chunks, just before: they are
        // still in flight when the slot's fresh node runs the next job. Taken for the next job's, such an outcome
        // left the proxy deaf to the real one and the job Running for ever (a CI run caught it).
        var manager = await StartManagerAsync();
        var cancelled = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, cancelled.Id);
        Assert.True((await CancelAsync(manager, cancelled.Id)).Cancelled);
        var next = await SubmitAsync(manager, "sleep", """{"ms":1500}""");
        await NextOfJobAsync<JobStarted>(Events, next.Id);

        // The proxy has the next job (the manager sent it before announcing the start), and its node sleeps on it.
        var proxy = Sys.ActorSelection(manager.Path / "worker-1");
        var killedNode = CreateTestProbe("killed-node");
        proxy.Tell(new NodeJobFailed(cancelled.Id, "cancelled"), killedNode.Ref);
        proxy.Tell(new NodeJobsEnded([new NodeJobFailed(cancelled.Id, "cancelled"), new NodeJobSucceeded(next.Id, """{"from":"the killed node"}""", 0)]), killedNode.Ref);
        proxy.Tell(new NodeProgress(next.Id, 0.9, "from the killed node"), killedNode.Ref);
        proxy.Tell(new NodeJobSucceeded(next.Id, """{"from":"the killed node"}""", 0), killedNode.Ref);

        var ended = await NextAsync<IJobEvent>(Events, e => e.JobId == next.Id && e is JobProgress or JobCompleted or JobFailed);
        var completed = Assert.IsType<JobCompleted>(ended);
        Assert.Equal(1500, completed.Result.GetProperty("sleptMs").GetInt32());
        Assert.Equal(WorkerState.Idle, (await GetWorkersAsync(manager)).Single().State);
    }

    [Fact]
    public async Task Should_run_a_job_that_reuses_the_id_of_a_cancelled_and_cleared_job()
    {
        var manager = await StartManagerAsync();
        var running = await SubmitAsync(manager, "sleep", """{"ms":1500}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id);
        await SubmitAsync(manager, "echo", """{"text":"old"}""", new JobOptions { JobId = "reused" });
        Assert.True((await CancelAsync(manager, "reused")).Cancelled);
        manager.Tell(ClearCompletedJobs.Instance, Client.Ref);
        await Client.ExpectMsgAsync<CompletedJobsCleared>();

        // The same id again, now free, with a higher priority than the cancelled job had.
        await SubmitAsync(manager, "echo", """{"text":"new"}""", new JobOptions { JobId = "reused", Priority = 1 });
        await NextOfJobAsync<JobCompleted>(Events, running.Id);

        var completed = await NextOfJobAsync<JobCompleted>(Events, "reused", TimeSpan.FromSeconds(5));
        Assert.Equal("new", completed.Result.GetProperty("text").GetString());
        Assert.Equal(JobStatus.Completed, (await GetJobAsync(manager, "reused")).Status);
    }
}
