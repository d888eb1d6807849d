using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// What W4 (cancel) and W5 (crash) share: a manager with one job slot, either cold (no spare: the next job waits for a
/// fresh node) or with one warm spare that is registered and idle before each measurement; a job whose node goes
/// away, and an echo job queued behind it whose completion tells how soon the manager serves jobs again.
/// </summary>
internal abstract class Recovery(BenchOptions options, string workload, bool warm) : IWorkload
{
    private readonly int _iterations = options.Iterations;

    public string Name => $"{workload} ({Mode})";
    public abstract IReadOnlyList<Metric> Metrics { get; }

    protected string Workload => workload;
    protected string Mode => warm ? "warm spare" : "cold";

    public async Task RunAsync(BenchContext context)
    {
        var worker = new WorkerConfig
        {
            MaxWorkers = 1,
            WarmSpares = warm ? 1 : 0,
            // Every iteration kills a node on purpose; the slot must not give up on it.
            MaxRestartAttempts = 1_000,
        };
        await using var session = await context.StartManagerAsync("recovery", worker);
        await session.WarmUpAsync(context.Options.WarmUpJobs, context.Cancellation);
        for (var i = 0; i < _iterations; i++)
        {
            // The slot (and the spare) have their nodes back from the previous iteration.
            if (warm)
                await session.WaitForSlotAndSpareAsync(context.Cancellation);
            else
                await session.WaitForIdleWorkersAsync(1, context.Cancellation);
            // A node that has just registered is still finishing its own start (JIT, first remote messages), and its
            // first job would pay for it (see the cold-start rows): this measures the cancel or the crash instead.
            await session.SettleAsync(context.Cancellation);
            await MeasureOnceAsync(session, context, $"{context.Run}-{i}");
        }
    }

    /// <summary>One measurement; job ids end with <paramref name="suffix"/>, unique in the manager.</summary>
    protected abstract Task MeasureOnceAsync(ManagerSession session, BenchContext context, string suffix);
}
