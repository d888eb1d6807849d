using System.Collections.Immutable;
using System.Text.Json;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// Recycling replaces a node between jobs, never during one; warm spares serve a slot whose node was killed
/// without a cold start.
/// </summary>
public class RecyclingSpecs(ITestOutputHelper output) : WorkersSpec("recycling-specs", output)
{
    [Fact]
    public async Task Should_replace_a_node_after_MaxJobsPerWorker_jobs()
    {
        var manager = await StartManagerAsync(Options(new WorkerConfig { MaxJobsPerWorker = 2 }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var (first, _) = await RunEchoAsync(client, subscriber, manager);
        var (second, _) = await RunEchoAsync(client, subscriber, manager);
        var exited = await subscriber.FishForMessageAsync<WorkerExited>(e => e.Pid == first.WorkerPid, Reply);
        var (third, _) = await RunEchoAsync(client, subscriber, manager);

        Assert.Equal(first.WorkerPid, second.WorkerPid);
        Assert.NotEqual(first.WorkerPid, third.WorkerPid);
        Assert.Contains("MaxJobsPerWorker = 2", exited.Reason);
    }

    [Fact]
    public async Task Should_replace_a_node_whose_memory_passed_MaxWorkerMemoryMb_after_its_job_completes()
    {
        var manager = await StartManagerAsync(Options(new WorkerConfig { MaxWorkerMemoryMb = 200 }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var job = await SubmitAsync(client, manager, "alloc", new { mb = 300 });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        await ExpectEndAsync<JobCompleted>(subscriber, job.Id); // the job itself is never cut short
        var exited = await subscriber.FishForMessageAsync<WorkerExited>(e => e.Pid == started.WorkerPid, Reply);
        var (next, _) = await RunEchoAsync(client, subscriber, manager);

        Assert.Contains("MaxWorkerMemoryMb = 200", exited.Reason);
        Assert.NotEqual(started.WorkerPid, next.WorkerPid);
    }

    [Fact]
    public async Task Should_serve_the_next_job_from_a_warm_spare_after_a_cancel()
    {
        var manager = await StartManagerAsync(Options(new WorkerConfig { MaxWorkers = 1, WarmSpares = 1 }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var spare = await subscriber.FishForMessageAsync<WorkerStarted>(_ => true, NodeStart); // started with no job asked

        var busy = await SubmitAsync(client, manager, "busy", new { ms = 60_000 });
        var running = await ExpectJobEventAsync<JobStarted>(subscriber, busy.Id);
        var next = await SubmitAsync(client, manager, "echo", new { text = "next" });
        client.Send(manager, new CancelJob(busy.Id));
        Assert.True((await client.ExpectMsgAsync<CancelJobResult>(Reply)).Cancelled);
        var nextStarted = await ExpectJobEventAsync<JobStarted>(subscriber, next.Id);

        Assert.Equal(spare.Pid, running.WorkerPid);
        Assert.NotEqual(running.WorkerPid, nextStarted.WorkerPid); // one job at a time with MaxWorkers = 1 ...
        client.Send(manager, GetWorkers.Instance);
        var workers = (await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers;
        Assert.Equal(2, workers.Count);                            // ... on two registered slots
        await ExpectEndAsync<JobCompleted>(subscriber, next.Id);
    }

    [Fact]
    public async Task Should_have_a_warm_spare_and_a_node_restarted_after_a_cancel_load_the_configured_plugin_before_any_job()
    {
        // alloc's loadMb stands for a model: memory taken when the plugin loads. A node reports its memory in its
        // heartbeats, so a node holding 300 MiB with no alloc job asked of it has loaded the plugin at its start.
        const int modelMb = 300;
        var manager = await StartManagerAsync(Options(new WorkerConfig { MaxWorkers = 1, WarmSpares = 1 }) with
        {
            PluginConfigs = ImmutableDictionary<string, JsonElement>.Empty.Add("alloc", Parameters(new { loadMb = modelMb })),
        });
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var spare = await subscriber.FishForMessageAsync<WorkerStarted>(_ => true, NodeStart); // started with no job asked
        await HoldsModelAsync(client, manager, spare.Pid, modelMb);

        var busy = await SubmitAsync(client, manager, "busy", new { ms = 60_000 });
        await ExpectJobEventAsync<JobStarted>(subscriber, busy.Id);
        client.Send(manager, new CancelJob(busy.Id));
        Assert.True((await client.ExpectMsgAsync<CancelJobResult>(Reply)).Cancelled);
        // The killed node's slot comes back (a spare again) and loads the model before a job needs it.
        var restarted = await subscriber.FishForMessageAsync<WorkerStarted>(started => started.Pid != spare.Pid, NodeStart);
        await HoldsModelAsync(client, manager, restarted.Pid, modelMb);
    }

    private async Task HoldsModelAsync(Akka.TestKit.TestProbe client, Akka.Actor.IActorRef manager, int pid, int modelMb) =>
        await AwaitAssertAsync(async () =>
        {
            client.Send(manager, GetWorkers.Instance);
            var node = (await client.ExpectMsgAsync<WorkersInfo>(Reply)).Workers.Single(worker => worker.Pid == pid);
            Assert.True(node.MemoryBytes >= modelMb * 1024L * 1024, $"node {pid} holds {node.MemoryBytes / (1024 * 1024)} MiB");
            Assert.Equal(0, node.JobsCompleted);
        }, NodeStart, TimeSpan.FromMilliseconds(200));
}
