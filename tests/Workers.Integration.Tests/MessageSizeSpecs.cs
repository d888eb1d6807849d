using System.Text.Json;
using Akka.Configuration;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// Akka.Remote drops a message larger than its frame, logs an error and tells the sender nothing: a job in such a
/// message would wait for ever. The manager here has a frame of 256 KiB, so 196,608 bytes of payload
/// (<see cref="WireLimits"/>) and batches of jobs sent ahead of at most 49,152 bytes; its nodes keep their own 16 MiB.
/// </summary>
public class MessageSizeSpecs(ITestOutputHelper output) : WorkersSpec(
    ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.maximum-frame-size = 262144b").WithFallback(WorkersConfiguration.Manager),
    "message-size-specs", output)
{
    private const int FrameBytes = 262_144;
    private const int PayloadBytes = FrameBytes - WireLimits.FrameOverhead;

    [Fact]
    public async Task Should_reject_on_submit_parameters_larger_than_a_message_to_a_node_carries()
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");

        var reason = await SubmitRejectedAsync(client, manager, new StartJob("echo", Parameters(new { text = new string('x', PayloadBytes) })));

        Assert.StartsWith($"Parameters are {PayloadBytes + 11:N0} bytes of JSON, more than the {PayloadBytes:N0} bytes", reason);
        Assert.Contains("maximum-frame-size", reason);
        Assert.Empty(await GetAllJobsAsync(client, manager));
    }

    [Fact]
    public async Task Should_run_every_job_sent_ahead_though_together_they_are_larger_than_a_frame()
    {
        // One slot, and ten jobs queued while its node starts: once it has registered, the first runs and the other nine
        // go ahead to it at once, 360,000 bytes in all (a fixed depth: sleep's run time is not known yet).
        var manager = await StartManagerAsync(Options(new WorkerConfig { MaxWorkers = 1, PipelineWindow = null }));
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var padding = new string('x', 40_000);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
            ids.Add((await SubmitAsync(client, manager, "sleep", new { ms = 1, padding })).Id);

        var events = await ReceiveUntilEndedAsync(subscriber, ids);

        Assert.Equal(ids, events.OfType<JobCompleted>().Select(e => e.JobId));
    }

    [Fact]
    public async Task Should_fail_a_job_whose_request_a_hook_made_too_large_and_run_the_next()
    {
        var manager = await StartManagerAsync(Options() with { Hooks = new PaddingHooks(FrameBytes) });
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var padded = await SubmitAsync(client, manager, "echo", new { text = "too large", pad = true });
        var failed = await ExpectEndAsync<JobFailed>(subscriber, padded.Id);
        var next = await SubmitAsync(client, manager, "echo", new { text = "after" });
        var completed = await ExpectEndAsync<JobCompleted>(subscriber, next.Id);

        Assert.StartsWith("The job's execute request (its parameters as prepared for the node, and the plugin's configuration) is ", failed.Error);
        Assert.Contains($"more than the {PayloadBytes:N0} bytes one message to worker node worker-1 can carry", failed.Error);
        Assert.Equal("after", completed.Result.GetProperty("text").GetString());
        Assert.Equal(JobStatus.Failed, (await GetJobAsync(client, manager, padded.Id))!.Status);
    }

    [Fact]
    public async Task Should_fail_a_job_whose_result_is_larger_than_the_manager_takes_and_keep_its_node()
    {
        // The node's own frame is 16 MiB; the manager's is 256 KiB, and it would refuse the larger frame.
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var large = await SubmitAsync(client, manager, "tokens", new { count = 50_000 }); // about 440,000 bytes of text
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, large.Id);
        var failed = await ExpectEndAsync<JobFailed>(subscriber, large.Id);
        var next = await SubmitAsync(client, manager, "echo", new { text = "after" });
        var (nextStarted, completed) = (await ExpectJobEventAsync<JobStarted>(subscriber, next.Id), await ExpectEndAsync<JobCompleted>(subscriber, next.Id));

        Assert.Contains($"more than the {PayloadBytes:N0} bytes one message can carry", failed.Error);
        Assert.Equal("after", completed.Result.GetProperty("text").GetString());
        Assert.Equal(started.WorkerPid, nextStarted.WorkerPid);
    }

    /// <summary>Adds a frame's worth of bytes to the parameters of a job that asks for it.</summary>
    private sealed class PaddingHooks(int bytes) : JobManagerHooks
    {
        public override JsonElement PrepareExecuteRequest(JobSnapshot job, JsonElement parameters) =>
            parameters.TryGetProperty("pad", out _) ? With(parameters, [new("padding", new string('x', bytes))]) : parameters;
    }
}
