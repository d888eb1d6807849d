using System.Diagnostics;
using System.Text.Json;
using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// W3: one streamed <c>tokens</c> job; the time from the submit to the first chunk at the subscriber, and chunks per
/// second at the subscriber from the first chunk to the final one.
/// </summary>
internal sealed class Streaming(BenchOptions options) : IWorkload
{
    private const string Workload = "W3 streaming";
    private readonly int _chunks = options.StreamChunks;

    public string Name => Workload;

    public Metric ChunksPerSecond { get; } = new(Workload, $"1 job streaming {options.StreamChunks:N0} chunks (chunks/s)", Unit.PerSecond,
        Baseline.Throughput, Target.AtLeast(300_000, "≥ 300,000"));

    public Metric FirstChunk { get; } = new(Workload, "submit → first chunk (ms)", Unit.Milliseconds, Baseline.P50);

    public IReadOnlyList<Metric> Metrics => [ChunksPerSecond, FirstChunk];

    public async Task RunAsync(BenchContext context)
    {
        await using var session = await context.StartManagerAsync("streaming", new WorkerConfig { MaxWorkers = 1 });
        await session.WarmUpAsync(context.Options.WarmUpJobs, context.Cancellation);
        // The streaming path (credits, batches, chunk events) has its own code to warm up.
        await StreamAsync(session, $"warm-up-{context.Run}", Math.Max(1, _chunks / 10), context.Cancellation);

        var (start, first, final) = await StreamAsync(session, $"stream-{context.Run}", _chunks, context.Cancellation);
        context.Record(FirstChunk, Stats.Milliseconds(start, first));
        context.Record(ChunksPerSecond, Stats.PerSecond(_chunks, first, final));
    }

    /// <summary>Runs one streamed job to its end; returns when it was submitted and when its first and final chunks arrived.</summary>
    private static async Task<(long Start, long First, long Final)> StreamAsync(ManagerSession session, string jobId, int count, CancellationToken cancellation)
    {
        var first = session.Tap.Next<JobChunk>(jobId);
        var final = session.Tap.Next<JobChunk>(chunk => chunk.JobId == jobId && chunk.IsFinal);
        var completed = session.Tap.Next<JobCompleted>(jobId);
        var parameters = JsonSerializer.SerializeToElement(new { count });

        var start = Stopwatch.GetTimestamp();
        session.Submit("tokens", parameters, new JobOptions { Stream = true, JobId = jobId });
        var end = await session.WithinStepAsync(final, $"the final chunk of {count:N0}", cancellation);
        await session.WithinStepAsync(completed, "the streamed job's JobCompleted", cancellation);
        // Sequences have no gaps and the final chunk comes after all the others: its sequence is the count.
        if (end.Message.Sequence != count)
            throw new InvalidOperationException($"The final chunk has sequence {end.Message.Sequence}, expected {count}.");
        return (start, (await first).Timestamp, end.Timestamp);
    }
}
