using Workers.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>Nodes that die, cannot start or never register: no job is left running or waiting for ever.</summary>
public sealed class WorkerFailureSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    [Fact]
    public async Task Should_fail_the_running_job_when_its_node_exits()
    {
        var manager = await StartManagerAsync();
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var started = await NextOfJobAsync<JobStarted>(Events, job.Id);

        Launcher.Nodes.Single(node => node.Pid == started.WorkerPid).Crash(134);

        var failed = await NextOfJobAsync<JobFailed>(Events, job.Id);
        Assert.Contains("exited", failed.Error);
        Assert.Contains("while running the job", failed.Error);
        Assert.Contains("134", failed.Error);
        var exited = await NextAsync<WorkerExited>(Events);
        Assert.Equal(("worker-1", started.WorkerPid), (exited.WorkerId, exited.Pid));
        Assert.Contains("exited", exited.Reason);
        var snapshot = await GetJobAsync(manager, job.Id);
        Assert.Equal((JobStatus.Failed, failed.Error), (snapshot.Status, snapshot.Error));
        Assert.NotNull(snapshot.CompletedAt);
    }

    [Fact]
    public async Task Should_run_the_next_job_on_a_new_node_after_a_crash()
    {
        var manager = await StartManagerAsync();
        var crashed = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var first = await NextOfJobAsync<JobStarted>(Events, crashed.Id);
        var waiting = await SubmitAsync(manager, "echo"); // queued behind the job that will crash

        Launcher.Nodes[0].Crash(139);

        await NextOfJobAsync<JobFailed>(Events, crashed.Id);
        var second = await NextOfJobAsync<JobStarted>(Events, waiting.Id);
        await NextOfJobAsync<JobCompleted>(Events, waiting.Id);
        Assert.NotEqual(first.WorkerPid, second.WorkerPid);
        Assert.Equal(2, Launcher.Nodes.Count);
    }

    [Theory]
    [InlineData(RestartPolicy.Never)]
    [InlineData(RestartPolicy.OnCancellation)]
    [InlineData(RestartPolicy.Always)]
    [InlineData(RestartPolicy.Backoff)]
    public async Task Should_fail_the_slot_and_its_pending_jobs_when_nodes_cannot_start(RestartPolicy policy)
    {
        var launcher = new ThrowingNodeLauncher();
        var manager = await StartManagerAsync(new WorkerConfig { MaxRestartAttempts = 2, RestartPolicy = policy, RestartBackoffBase = TimeSpan.FromMilliseconds(10) }, launcher);

        var job = await SubmitAsync(manager, "echo");

        var workerFailed = await NextAsync<WorkerFailed>(Events);
        Assert.Equal("worker-1", workerFailed.WorkerId);
        Assert.Contains("3 consecutive failures", workerFailed.Reason);
        Assert.Contains(ThrowingNodeLauncher.Error, workerFailed.Reason);
        var jobFailed = await NextOfJobAsync<JobFailed>(Events, job.Id);
        Assert.Contains("No worker can run jobs", jobFailed.Error);
        Assert.Equal(JobStatus.Failed, (await GetJobAsync(manager, job.Id)).Status);
        Assert.Equal(WorkerState.Failed, (await GetWorkersAsync(manager)).Single().State);

        var rejected = await RejectionAsync(manager, new StartJob("echo", Json("{}")));
        Assert.Contains("No worker can run jobs", rejected.Reason);
        Assert.Equal(JobRejectionKind.Unavailable, rejected.Kind);
        // MaxRestartAttempts + 1 starts, and not one more once the budget is spent. The supervisor decides to stop the
        // slot before any restart could launch a node, so by the time WorkerFailed is out the count is final.
        Assert.True(launcher.Launches == 3, $"{launcher.Launches} node starts for MaxRestartAttempts = 2 (expected 3)");
    }

    [Fact]
    public async Task Should_give_up_on_a_node_that_never_registers()
    {
        var launcher = new SilentNodeLauncher();
        var manager = await StartManagerAsync(new WorkerConfig { WorkerStartTimeout = TimeSpan.FromSeconds(1), MaxRestartAttempts = 0 }, launcher);

        var job = await SubmitAsync(manager, "echo");
        Assert.Equal(WorkerState.Starting, (await GetWorkersAsync(manager)).Single().State);

        var workerFailed = await NextAsync<WorkerFailed>(Events, within: TimeSpan.FromSeconds(5));
        Assert.Contains("did not register within 00:00:01", workerFailed.Reason);
        var jobFailed = await NextOfJobAsync<JobFailed>(Events, job.Id);
        Assert.Contains("did not register within 00:00:01", jobFailed.Error);
        Assert.True(launcher.Nodes.Single().Killed, "the node that never registered must be killed");
        Assert.Equal(WorkerState.Failed, (await GetWorkersAsync(manager)).Single().State);
    }

    [Fact]
    public async Task Should_try_again_a_node_that_did_not_register_while_the_budget_lasts()
    {
        var launcher = new SilentNodeLauncher();
        var manager = await StartManagerAsync(new WorkerConfig { WorkerStartTimeout = TimeSpan.FromMilliseconds(500), MaxRestartAttempts = 1 }, launcher);

        var job = await SubmitAsync(manager, "echo");

        var jobFailed = await NextOfJobAsync<JobFailed>(Events, job.Id, TimeSpan.FromSeconds(5));
        Assert.Contains("2 consecutive failures", jobFailed.Error);
        Assert.Equal(2, launcher.Nodes.Count);
        Assert.All(launcher.Nodes, node => Assert.True(node.Killed));
    }

    [Theory]
    [InlineData(RestartPolicy.Never, 1, "NotStarted")]
    [InlineData(RestartPolicy.OnCancellation, 1, "NotStarted")]
    [InlineData(RestartPolicy.Always, 2, "Idle")]
    [InlineData(RestartPolicy.Backoff, 2, "Idle")]
    public async Task Should_restart_a_crashed_node_as_the_policy_says(RestartPolicy policy, int nodes, string state)
    {
        var manager = await StartManagerAsync(new WorkerConfig { RestartPolicy = policy, RestartBackoffBase = TimeSpan.FromMilliseconds(50) });
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, job.Id);

        Launcher.Nodes[0].Crash(134);
        await NextOfJobAsync<JobFailed>(Events, job.Id);
        if (nodes == 2)
            await NextAsync<WorkerStarted>(Events);
        await Task.Delay(1000); // long enough for the crashed node's remote Terminated to arrive

        Assert.Equal(nodes, Launcher.Nodes.Count);
        Assert.Equal([state], States(await GetWorkersAsync(manager)));
    }

    [Fact]
    public async Task Should_not_count_cancellations_against_the_failure_budget()
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxRestartAttempts = 0 });

        for (var i = 0; i < 2; i++)
        {
            var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
            await NextOfJobAsync<JobStarted>(Events, job.Id);
            Assert.True((await CancelAsync(manager, job.Id)).Cancelled);
            await Task.Delay(500); // long enough for the killed node's remote Terminated to arrive
        }

        var last = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(Events, last.Id);
        var worker = (await GetWorkersAsync(manager)).Single();
        Assert.Equal((WorkerState.Idle, 2), (worker.State, worker.Restarts));
    }

    [Fact]
    public async Task Should_reset_the_failure_budget_after_a_job_completes()
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxRestartAttempts = 1 });

        for (var i = 0; i < 3; i++)
        {
            var crashing = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
            var started = await NextOfJobAsync<JobStarted>(Events, crashing.Id);
            Launcher.Nodes.Single(node => node.Pid == started.WorkerPid).Crash(134);
            await NextOfJobAsync<JobFailed>(Events, crashing.Id);
            var fine = await SubmitAsync(manager, "echo");
            await NextOfJobAsync<JobCompleted>(Events, fine.Id);
        }

        Assert.NotEqual(WorkerState.Failed, (await GetWorkersAsync(manager)).Single().State);
    }

    [Fact]
    public async Task Should_announce_and_delay_a_backoff_restart()
    {
        var manager = await StartManagerAsync(new WorkerConfig { RestartPolicy = RestartPolicy.Backoff, RestartBackoffBase = TimeSpan.FromMilliseconds(400) });
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, job.Id);

        Launcher.Nodes[0].Crash(134);

        var restarting = await NextAsync<WorkerRestarting>(Events, within: TimeSpan.FromSeconds(3));
        Assert.Equal(new WorkerRestarting("worker-1", TimeSpan.FromMilliseconds(400), 1), restarting);
    }
}
