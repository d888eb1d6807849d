using System.Text;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>Stream chunks and progress reach subscribers in order, and a streamed job's result carries the whole text.</summary>
public class StreamingSpecs(ITestOutputHelper output) : WorkersSpec("streaming-specs", output)
{
    [Fact]
    public async Task Should_stream_a_thousand_chunks_in_order_then_one_final_chunk_then_the_full_text()
    {
        await StreamTokensAsync(1_000, "stream-1k", NodeStart);
    }

    [Fact]
    public async Task Should_stream_a_hundred_thousand_chunks_in_order_through_the_flow_control_window()
    {
        // Far more chunks than the in-flight window (WorkerConfig.ResultQueueSize, 1,000): the node has to wait for
        // the manager's acks many times over, and no chunk may be lost, repeated or reordered on the way.
        await StreamTokensAsync(100_000, "stream-100k", TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Should_report_progress_before_a_mandelbrot_job_completes()
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");
        const string jobId = "mandelbrot-progress";
        var subscriber = await SubscribeAsync(manager, jobId);
        var image = Path.Combine(Path.GetTempPath(), $"workers-integration-{Guid.NewGuid():N}.png");
        try
        {
            await SubmitAsync(client, manager, "mandelbrot",
                new { width = 120, height = 90, maxIterations = 100, output = image }, new JobOptions { JobId = jobId });
            var events = await ReceiveUntilEndedAsync(subscriber, [jobId]);

            // Queued, started, then progress (at least once, within (0, 1]), and the completion last.
            Assert.IsType<JobQueued>(events[0]);
            Assert.IsType<JobStarted>(events[1]);
            var completed = Assert.IsType<JobCompleted>(events[^1]);
            var progress = events.Skip(2).SkipLast(1).ToList();
            Assert.NotEmpty(progress);
            Assert.All(progress, e => Assert.InRange(Assert.IsType<JobProgress>(e).Fraction, double.Epsilon, 1.0));
            Assert.Equal(120, completed.Result.GetProperty("width").GetInt32());
            Assert.True(File.Exists(image));
        }
        finally
        {
            File.Delete(image);
        }
    }

    private async Task StreamTokensAsync(int count, string jobId, TimeSpan within)
    {
        var manager = await StartManagerAsync(Options());
        var client = CreateTestProbe("client");
        var subscriber = await SubscribeAsync(manager, jobId);

        await SubmitAsync(client, manager, "tokens", new { count }, new JobOptions { JobId = jobId, Stream = true });
        await subscriber.ExpectMsgAsync<JobQueued>(Reply);
        await subscriber.ExpectMsgAsync<JobStarted>(NodeStart);

        // Progress may come between chunks; everything else must be exactly the expected next message.
        var expected = new StringBuilder();
        long next = 0;
        JobChunk? final = null;
        var completed = await subscriber.FishForMessageAsync<IJobEvent>(e =>
        {
            switch (e)
            {
                case JobProgress:
                    return false;
                case JobChunk { IsFinal: false } chunk when final is null:
                    if (chunk.Sequence != next || chunk.Text != $"tok{next} ")
                        throw new Xunit.Sdk.XunitException($"Expected chunk {next} \"tok{next} \", got {chunk}");
                    expected.Append(chunk.Text);
                    next++;
                    return false;
                case JobChunk { IsFinal: true } chunk when final is null:
                    final = chunk;
                    return false;
                case JobCompleted when final is not null:
                    return true;
                default:
                    throw new Xunit.Sdk.XunitException($"Unexpected {e} after {next} chunks (final chunk: {final?.ToString() ?? "none"})");
            }
        }, within, $"{count} chunks, the final chunk and the completion of {jobId}");

        Assert.Equal(count, next);
        Assert.Equal(new JobChunk(jobId, count, "", true), final);
        var text = Assert.IsType<JobCompleted>(completed).Result.GetProperty("text").GetString();
        Assert.Equal(expected.ToString(), text);
    }
}
