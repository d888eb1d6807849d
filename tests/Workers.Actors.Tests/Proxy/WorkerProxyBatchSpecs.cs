using Akka.TestKit.Xunit2;
using Workers.Actors.Launching;
using Workers.Actors.Proxy;
using Workers.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Proxy;

/// <summary>
/// Jobs sent ahead to a busy node travel together, but never in a message larger than a frame: Akka.Remote would drop
/// it, and every job in it would wait for ever. Here a frame of 90,000 bytes leaves 24,464 of payload and batches of at
/// most 6,116 bytes.
/// </summary>
public sealed class WorkerProxyBatchSpecs(ITestOutputHelper output)
    : TestKit("akka.remote.dot-netty.tcp.maximum-frame-size = 90000b", output: output)
{
    private const long BatchBytes = (90_000 - WireLimits.FrameOverhead) / 4;

    [Fact]
    public async Task Should_split_jobs_sent_ahead_into_batches_within_a_frame_in_order()
    {
        var launcher = new SilentNodeLauncher();
        var manager = CreateTestProbe("manager");
        var node = CreateTestProbe("node");
        var proxy = manager.ChildActorOf(WorkerProxyActor.Props("worker-1", launcher, new NodeLaunchRequest("worker-1", "akka://test/user/manager", []), new WorkerConfig()));
        await AwaitConditionAsync(() => Task.FromResult(launcher.Nodes.Count == 1));
        proxy.Tell(new RegisterWorker("worker-1", node.Ref, launcher.Nodes[0].Pid, ["echo"], null), node.Ref);
        await node.ExpectMsgAsync<WorkerRegistered>();
        await manager.ExpectMsgAsync<SlotReady>();

        // About 2,000 bytes each: three fit in a batch, ten together would be 20,000.
        var parameters = $$"""{"text":"{{new string('x', 2_000)}}"}""";
        var ids = Enumerable.Range(0, 10).Select(i => $"job-{i}").ToList();
        foreach (var id in ids)
            proxy.Tell(new RunJob(id, "echo", parameters, false, "{}", null), manager.Ref);

        var heard = new List<string>();
        var batches = 0;
        while (heard.Count < ids.Count)
        {
            var jobs = await node.ReceiveOneAsync(TimeSpan.FromSeconds(10)) switch
            {
                ExecuteJob job => [job],
                ExecuteJobs batch => batch.Jobs,
                var other => throw new InvalidOperationException($"Unexpected message to the node: {other}"),
            };
            Assert.InRange(jobs.Sum(job => WireLimits.Size(job, limit: 0)), 1, BatchBytes); // limit 0: sizes counted exactly
            batches++;
            heard.AddRange(jobs.Select(job => job.JobId));
        }
        Assert.Equal(ids, heard);
        Assert.InRange(batches, 4, 10); // the first alone to the idle node, the nine ahead in three or more
    }
}
