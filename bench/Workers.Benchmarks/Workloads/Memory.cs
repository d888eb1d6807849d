using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// W6: what the manager's process keeps per finished job. Echo jobs run to their end and stay in the manager's job
/// table (nothing is cleared); the heap after a full collection, before and after, divided by the number of jobs.
/// The subscriber keeps nothing, so the difference is the manager's.
/// </summary>
internal sealed class Memory(BenchOptions options) : IWorkload
{
    private const string Workload = "W6 memory";
    private readonly int _jobs = options.MemoryJobs;

    public string Name => Workload;

    public Metric PerJob { get; } = new(Workload, $"manager heap per finished job, {options.MemoryJobs:N0} echo jobs (bytes)", Unit.Bytes,
        target: Target.AtMost(1024, "≤ 1 KB"));

    public IReadOnlyList<Metric> Metrics => [PerJob];

    public async Task RunAsync(BenchContext context)
    {
        await using var session = await context.StartManagerAsync("memory", new WorkerConfig { MaxWorkers = 1 });
        await session.WarmUpAsync(context.Options.WarmUpJobs, context.Cancellation);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var last = session.Tap.Nth<JobCompleted>(_jobs);
        for (var i = 0; i < _jobs; i++)
            session.SubmitEcho();
        await session.WithinStepAsync(last, $"{_jobs:N0} echo jobs", context.Cancellation);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        context.Record(PerJob, (after - before) / (double)_jobs);
    }
}
