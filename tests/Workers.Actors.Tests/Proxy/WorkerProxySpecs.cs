using Akka.TestKit.Xunit2;
using Workers.Actors.Launching;
using Workers.Actors.Proxy;
using Workers.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Proxy;

/// <summary>
/// A proxy and a fake node (a probe): jobs sent ahead to a busy node, together or alone, reach it in order, a cancel
/// reaches it after its job, and outcomes that come together end their jobs in order.
/// </summary>
public sealed class WorkerProxySpecs(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Should_send_jobs_ahead_in_order_with_a_cancel_after_its_job_and_end_jobs_of_one_batch_in_order()
    {
        var launcher = new SilentNodeLauncher();
        var manager = CreateTestProbe("manager");
        var node = CreateTestProbe("node");
        var proxy = manager.ChildActorOf(WorkerProxyActor.Props("worker-1", launcher, new NodeLaunchRequest("worker-1", "akka://test/user/manager", []), new WorkerConfig()));
        await AwaitConditionAsync(() => Task.FromResult(launcher.Nodes.Count == 1));
        proxy.Tell(new RegisterWorker("worker-1", node.Ref, launcher.Nodes[0].Pid, ["echo"], null), node.Ref);
        await node.ExpectMsgAsync<WorkerRegistered>();
        await manager.ExpectMsgAsync<SlotReady>();

        var ids = Enumerable.Range(0, 10).Select(i => $"job-{i}").ToList();
        foreach (var id in ids)
            proxy.Tell(new RunJob(id, "echo", "{}", false, "{}", null), manager.Ref);
        proxy.Tell(new CancelRunningJob("job-9"), manager.Ref);

        var heard = new List<string>();
        while (heard.Count < ids.Count + 1)
        {
            heard.AddRange(await node.ReceiveOneAsync(Soon) switch
            {
                ExecuteJob job => [job.JobId],
                ExecuteJobs jobs => jobs.Jobs.Select(job => job.JobId),
                CancelQueuedJob cancel => [$"cancel {cancel.JobId}"],
                var other => throw new InvalidOperationException($"Unexpected message to the node: {other}"),
            });
        }
        Assert.Equal([.. ids, "cancel job-9"], heard);

        // The node dropped the last job and ran the others, whose outcomes come together.
        proxy.Tell(new QueuedJobCancelled("job-9", true), node.Ref);
        proxy.Tell(new NodeJobsEnded([.. ids.Take(9).Select(id => (IWorkerWireMessage)new NodeJobSucceeded(id, "{}", 0))]), node.Ref);

        Assert.Equal("job-9", (await manager.ExpectMsgAsync<QueuedJobCancelled>()).JobId);
        foreach (var id in ids.Take(9))
            Assert.Equal(id, (await manager.ExpectMsgAsync<NodeJobSucceeded>()).JobId);
        // Idle again: the next job goes to the node at once, alone.
        proxy.Tell(new RunJob("next", "echo", "{}", false, "{}", null), manager.Ref);
        Assert.Equal("next", (await node.ExpectMsgAsync<ExecuteJob>()).JobId);
    }
}
