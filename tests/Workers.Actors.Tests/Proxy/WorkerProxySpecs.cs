using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Workers.Actors.Launching;
using Workers.Actors.Proxy;
using Workers.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Proxy;

/// <summary>
/// A proxy and a fake node (a probe): jobs sent ahead to a busy node, together or alone, reach it in order, a cancel
/// reaches it after its job, and outcomes that come together end their jobs in order. Jobs sent together never make a
/// message larger than the frame the node takes: Akka.Remote would drop it, and every job in it would wait for ever.
/// </summary>
public sealed class WorkerProxySpecs(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Should_send_jobs_ahead_in_order_with_a_cancel_after_its_job_and_end_jobs_of_one_batch_in_order()
    {
        var (proxy, manager, node) = await StartRegisteredAsync();
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

    [Fact]
    public async Task Should_split_jobs_sent_ahead_into_batches_within_a_frame_in_order()
    {
        // The node takes frames of 90,000 bytes (this system has no remoting settings, so no limit of its own): 24,464
        // bytes of payload, batches of at most 6,116.
        var (proxy, manager, node) = await StartRegisteredAsync(nodeFrameBytes: 90_000);
        Assert.Equal(90_000 - WireLimits.FrameOverhead, (await manager.ExpectMsgAsync<SlotReady>()).MaxPayloadBytes);

        // About 2,000 bytes each: three fit in a batch, ten together would be 20,000.
        var parameters = $$"""{"text":"{{new string('x', 2_000)}}"}""";
        var ids = Enumerable.Range(0, 10).Select(i => $"job-{i}").ToList();
        foreach (var id in ids)
            proxy.Tell(new RunJob(id, "echo", parameters, false, "{}", null), manager.Ref);

        var heard = new List<string>();
        var batches = 0;
        while (heard.Count < ids.Count)
        {
            var jobs = await node.ReceiveOneAsync(Soon) switch
            {
                ExecuteJob job => [job],
                ExecuteJobs batch => batch.Jobs,
                var other => throw new InvalidOperationException($"Unexpected message to the node: {other}"),
            };
            Assert.InRange(jobs.Sum(job => WireLimits.Size(job, limit: 0)), 1, (90_000 - WireLimits.FrameOverhead) / 4); // limit 0: sizes counted exactly
            batches++;
            heard.AddRange(jobs.Select(job => job.JobId));
        }
        Assert.Equal(ids, heard);
        Assert.InRange(batches, 4, 10); // the first alone to the idle node, the nine ahead in three or more
    }

    /// <summary>A proxy whose fake node (a probe) has registered; the manager probe has not yet taken its SlotReady.</summary>
    private async Task<(IActorRef Proxy, TestProbe Manager, TestProbe Node)> StartRegisteredAsync(long nodeFrameBytes = 0)
    {
        var launcher = new SilentNodeLauncher();
        var manager = CreateTestProbe("manager");
        var node = CreateTestProbe("node");
        var proxy = manager.ChildActorOf(WorkerProxyActor.Props("worker-1", launcher, new NodeLaunchRequest("worker-1", "akka://test/user/manager", []), new WorkerConfig()));
        await AwaitConditionAsync(() => Task.FromResult(launcher.Nodes.Count == 1));
        proxy.Tell(new RegisterWorker("worker-1", node.Ref, launcher.Nodes[0].Pid, ["echo"], null, nodeFrameBytes), node.Ref);
        await node.ExpectMsgAsync<WorkerRegistered>();
        return (proxy, manager, node);
    }
}
