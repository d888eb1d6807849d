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
}
