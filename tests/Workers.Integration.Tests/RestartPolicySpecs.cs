using Akka.TestKit;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// The restart policies of DESIGN section 3, applied by the manager's supervisor strategy to real node processes:
/// what a slot does after a cancellation and after a crash, the Backoff delays, and the failure budget.
/// </summary>
public class RestartPolicySpecs(ITestOutputHelper output) : WorkersSpec("restart-policy-specs", output)
{
    private const int LongJob = 60_000;

    [Theory]
    [InlineData(RestartPolicy.OnCancellation, true)]
    [InlineData(RestartPolicy.Always, true)]
    [InlineData(RestartPolicy.Backoff, true)]
    [InlineData(RestartPolicy.Never, false)]
    public async Task Should_restart_after_a_cancellation_as_the_policy_says(RestartPolicy policy, bool restartsAtOnce)
    {
        var (manager, subscriber, client) = await StartAsync(new WorkerConfig { RestartPolicy = policy });
        var job = await SubmitAsync(client, manager, "busy", new { ms = LongJob });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);

        client.Send(manager, new CancelJob(job.Id));
        Assert.True((await client.ExpectMsgAsync<CancelJobResult>(Reply)).Cancelled);
        await subscriber.FishForMessageAsync<WorkerExited>(e => e.Pid == started.WorkerPid, Reply);

        if (restartsAtOnce)
        {
            var restarting = await subscriber.FishForMessageAsync<WorkerRestarting>(_ => true, Reply);
            Assert.Equal(TimeSpan.Zero, restarting.Delay);
            Assert.Equal(0, restarting.Attempt); // a cancellation is not a failure
            var fresh = await subscriber.FishForMessageAsync<WorkerStarted>(_ => true, NodeStart);
            Assert.NotEqual(started.WorkerPid, fresh.Pid);
        }
        else
        {
            await AwaitSlotStateAsync(client, manager, WorkerState.NotStarted);
        }
    }

    [Theory]
    [InlineData(RestartPolicy.OnCancellation)]
    [InlineData(RestartPolicy.Never)]
    public async Task Should_start_a_crashed_slot_again_only_when_a_job_needs_it(RestartPolicy policy)
    {
        var (manager, subscriber, client) = await StartAsync(new WorkerConfig { RestartPolicy = policy });
        var crashed = await CrashAsync(client, subscriber, manager);

        await AwaitSlotStateAsync(client, manager, WorkerState.NotStarted);
        var (started, _) = await RunEchoAsync(client, subscriber, manager);
        Assert.NotEqual(crashed, started.WorkerPid);
    }

    [Fact]
    public async Task Should_restart_a_crashed_slot_at_once_under_Always()
    {
        var (manager, subscriber, client) = await StartAsync(new WorkerConfig { RestartPolicy = RestartPolicy.Always });
        var crashed = await CrashAsync(client, subscriber, manager);

        var restarting = await subscriber.FishForMessageAsync<WorkerRestarting>(_ => true, Reply);
        Assert.Equal((TimeSpan.Zero, 1), (restarting.Delay, restarting.Attempt));
        var fresh = await subscriber.FishForMessageAsync<WorkerStarted>(_ => true, NodeStart);
        Assert.NotEqual(crashed, fresh.Pid);
    }

    [Fact]
    public async Task Should_wait_the_backoff_delay_doubling_with_each_consecutive_failure()
    {
        var @base = TimeSpan.FromMilliseconds(300);
        var (manager, subscriber, client) = await StartAsync(new WorkerConfig
        {
            RestartPolicy = RestartPolicy.Backoff,
            RestartBackoffBase = @base,
            RestartBackoffMax = TimeSpan.FromSeconds(10),
        });

        await CrashAsync(client, subscriber, manager);
        var first = await subscriber.FishForMessageAsync<WorkerRestarting>(_ => true, Reply);
        Assert.Equal((@base, 1), (first.Delay, first.Attempt));
        await subscriber.FishForMessageAsync<WorkerStarted>(_ => true, NodeStart); // started by the backoff timer, no job asked

        await CrashAsync(client, subscriber, manager);
        var second = await subscriber.FishForMessageAsync<WorkerRestarting>(_ => true, Reply);
        Assert.Equal((@base * 2, 2), (second.Delay, second.Attempt));
    }

    [Fact]
    public async Task Should_fail_the_slot_past_its_budget_and_reject_jobs_instead_of_waiting_for_ever()
    {
        var (manager, subscriber, client) = await StartAsync(new WorkerConfig { RestartPolicy = RestartPolicy.Always, MaxRestartAttempts = 1 });
        await CrashAsync(client, subscriber, manager);
        await subscriber.FishForMessageAsync<WorkerStarted>(_ => true, NodeStart);
        await CrashAsync(client, subscriber, manager);

        var failed = await subscriber.FishForMessageAsync<WorkerFailed>(_ => true, Reply);
        Assert.Contains("MaxRestartAttempts = 1", failed.Reason);
        var reason = await SubmitRejectedAsync(client, manager, new StartJob("echo", Parameters(new { text = "x" })));
        Assert.Contains("No worker can run jobs", reason);
    }

    [Fact]
    public async Task Should_reset_the_failure_count_when_a_job_completes()
    {
        var (manager, subscriber, client) = await StartAsync(new WorkerConfig { RestartPolicy = RestartPolicy.Always, MaxRestartAttempts = 1 });
        await CrashAsync(client, subscriber, manager);
        await RunEchoAsync(client, subscriber, manager);
        await CrashAsync(client, subscriber, manager);

        var restarting = await subscriber.FishForMessageAsync<WorkerRestarting>(_ => true, Reply);
        Assert.Equal(1, restarting.Attempt); // counted from 1 again: the completed echo reset the budget
        await RunEchoAsync(client, subscriber, manager);
    }

    [Fact]
    public async Task Should_never_count_cancellations_against_the_failure_budget_nor_pile_up_nodes()
    {
        var (manager, subscriber, client) = await StartAsync(new WorkerConfig { MaxRestartAttempts = 0 });
        var cancelled = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var job = await SubmitAsync(client, manager, "sleep", new { ms = LongJob });
            cancelled.Add((await ExpectJobEventAsync<JobStarted>(subscriber, job.Id)).WorkerPid);
            client.Send(manager, new CancelJob(job.Id));
            Assert.True((await client.ExpectMsgAsync<CancelJobResult>(NodeStart)).Cancelled);
        }
        var (last, _) = await RunEchoAsync(client, subscriber, manager);

        // One slot, one live node: every node replaced by a restart is gone (the original piled up monitors).
        Assert.All(cancelled, pid => Assert.True(NodeProcesses.HasExited(pid), $"replaced node {pid} still runs"));
        Assert.DoesNotContain(last.WorkerPid, cancelled);
        client.Send(manager, GetWorkers.Instance);
        Assert.Equal(last.WorkerPid, Assert.Single((await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers).Pid);
    }

    private async Task<(Akka.Actor.IActorRef Manager, TestProbe Subscriber, TestProbe Client)> StartAsync(WorkerConfig config)
    {
        var manager = await StartManagerAsync(Options(config));
        return (manager, await SubscribeAsync(manager), CreateTestProbe("client"));
    }

    /// <summary>Runs a crash job and returns the pid of the node it killed, once its failure is settled.</summary>
    private static async Task<int> CrashAsync(TestProbe client, TestProbe subscriber, Akka.Actor.IActorRef manager)
    {
        var job = await SubmitAsync(client, manager, "crash", new { exitCode = 134 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);
        Assert.Contains("134", failed.Error);
        await subscriber.FishForMessageAsync<WorkerExited>(e => e.Pid == started.WorkerPid, Reply);
        return started.WorkerPid;
    }

    private async Task AwaitSlotStateAsync(TestProbe client, Akka.Actor.IActorRef manager, WorkerState state) =>
        await AwaitAssertAsync(async () =>
        {
            client.Send(manager, GetWorkers.Instance);
            var workers = await client.ExpectMsgAsync<WorkersInfo>(Reply);
            Assert.Equal(state, Assert.Single(workers.Workers).State);
        }, Reply);
}
