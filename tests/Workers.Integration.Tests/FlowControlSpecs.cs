using Akka.Actor;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// Flow control end to end: a plugin streaming a million chunks to a deliberately slow, flow-controlled subscriber is
/// slowed down to the subscriber's pace, and the manager's memory stays bounded (nothing buffers the stream).
/// </summary>
public class FlowControlSpecs(ITestOutputHelper output) : WorkersSpec("flow-control-specs", output)
{
    private readonly ITestOutputHelper _output = output;
    private const int Chunks = 1_000_000;
    private const int AckWindow = 1_000;

    [Fact]
    public async Task Should_slow_a_fast_stream_to_a_slow_subscriber_without_growing_memory()
    {
        // No job store: the in-memory journal would hold a copy of the 11-million-character result, which is not what
        // this measures.
        var manager = await StartManagerAsync(Options() with { Store = JobStoreOptions.None });
        var client = CreateTestProbe("client");
        var done = new TaskCompletionSource<SlowSubscriber.Report>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = Sys.ActorOf(Props.Create(() => new SlowSubscriber(manager, done)), "slow-subscriber");
        var jobId = "million";
        await manager.Ask<SubscribedToJobEvents>(new SubscribeToJobEvents(subscriber, jobId, AckWindow), Reply);
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        await SubmitAsync(client, manager, "tokens", new { count = Chunks }, new JobOptions { Stream = true, JobId = jobId });
        var report = await done.Task.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(Chunks, report.Chunks);
        Assert.True(report.InOrder, "chunks arrived out of order");
        // The streamed text itself (≈ 11 M chars, 22 MB in UTF-16) is kept for the job's result. Measured with flow
        // control, up to the 900,000th chunk: 18 MB in a Release build (four runs, 2026-11-29). Without it (subscribed
        // with no AckWindow) the same run grew by 163 MB, the events queued in the slow subscriber's mailbox.
        var growthMb = (report.PeakMemory - baseline) / (1024.0 * 1024.0);
        _output.WriteLine($"managed memory grew by {growthMb:0.0} MB");
        Assert.True(growthMb < 60, $"managed memory grew by {growthMb:0.0} MB");

    }

    [Fact]
    public async Task Should_forward_at_most_ten_progress_reports_a_second_and_the_last_one()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // Unstreamed, tokens builds its text as fast as it can and reports progress a hundred times on the way.
        var job = await SubmitAsync(client, manager, "tokens", new { count = 1_000_000 });
        var events = await ReceiveUntilEndedAsync(subscriber, [job.Id]);
        var started = Assert.IsType<JobStarted>(events.First(e => e is JobStarted));
        var progress = events.OfType<JobProgress>().ToList();
        var completed = Assert.IsType<JobCompleted>(events[^1]);
        var snapshot = await GetJobAsync(client, manager, job.Id);

        var ran = snapshot!.CompletedAt!.Value - snapshot.StartedAt!.Value;
        Assert.NotEmpty(progress);
        Assert.True(progress.Count <= ran.TotalSeconds * 10 + 2, $"{progress.Count} progress events in {ran.TotalMilliseconds:0} ms");
        Assert.Equal(1.0, progress[^1].Fraction, precision: 6); // the last report is never dropped
        Assert.NotNull(started);
        Assert.NotNull(completed);
    }

    [Fact]
    public async Task Should_fail_a_result_too_large_for_one_message_instead_of_losing_it()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        // About 34 MB of text returned in one piece: more than a remoting frame (16 MiB in hocon/) can carry.
        var job = await SubmitAsync(client, manager, "tokens", new { count = 4_000_000 });
        var failed = await ExpectEndAsync<JobFailed>(subscriber, job.Id);

        Assert.Contains("more than the", failed.Error);
        Assert.Contains("Stream it", failed.Error);
        await RunEchoAsync(client, subscriber, manager); // the node is fine
    }

    /// <summary>
    /// Handles each chunk slowly (a millisecond's pause every 50 chunks: about 20 s for the stream, several times what
    /// the node needs) and acknowledges every 100 events; samples the process's live memory.
    /// </summary>
    private sealed class SlowSubscriber : ReceiveActor
    {
        public sealed record Report(long Chunks, bool InOrder, long PeakMemory);

        public SlowSubscriber(IActorRef manager, TaskCompletionSource<Report> done)
        {
            long chunks = 0, handled = 0, acknowledged = 0, peak = 0;
            var inOrder = true;
            ReceiveAny(message =>
            {
                handled++;
                if (message is JobChunk { IsFinal: false } chunk)
                {
                    inOrder &= chunk.Sequence == chunks;
                    chunks++;
                    if (chunks % 50 == 0)
                        Thread.Sleep(1); // the deliberate slowness of this subscriber
                    // Live memory (not garbage) while the stream flows. Not at its last chunk: by then the manager
                    // turns the streamed text into the job's result (copies of 22 MB each), whatever the flow control
                    // did, and whether that falls in the sample is a matter of microseconds: with that sample, 40-145 MB
                    // from one run to the next, over Workers' direct transport and over DotNetty alike.
                    if (chunks % 100_000 == 0 && chunks < Chunks)
                        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                }
                if (handled - acknowledged >= 100)
                {
                    manager.Tell(new AckJobEvents(Self, (int)(handled - acknowledged)));
                    acknowledged = handled;
                }
                if (message is JobCompleted or JobFailed)
                {
                    manager.Tell(new AckJobEvents(Self, (int)(handled - acknowledged)));
                    done.TrySetResult(new Report(chunks, inOrder, peak));
                }
            });
        }
    }
}
