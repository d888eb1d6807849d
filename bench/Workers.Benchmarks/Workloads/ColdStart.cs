using System.Diagnostics;
using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// Node cold start: on a fresh manager, the time from the first job's <see cref="StartJob"/> (which starts the
/// slot's node process) to the node's registration (<see cref="WorkerStarted"/>) and to that job's completion.
/// </summary>
internal sealed class ColdStart(BenchOptions options) : IWorkload
{
    private const string Workload = "Node cold start";
    private readonly int _iterations = options.Iterations;

    public string Name => Workload;

    public Metric Registered { get; } = new(Workload, "first StartJob → WorkerStarted (registered) (ms)", Unit.Milliseconds, Baseline.Startup,
        Target.AtMost(250, "≤ 250 ms"));

    public Metric FirstJob { get; } = new(Workload, "first StartJob → its JobCompleted (ms)", Unit.Milliseconds, Baseline.Startup);

    public Metric FirstJobOnNode { get; } = new(Workload, "of which WorkerStarted → JobCompleted, the first job on a fresh node (ms)", Unit.Milliseconds, Baseline.P50);

    public Metric FirstJobOnSpare { get; } = new(Workload, "StartJob → JobCompleted on a fresh warm spare: started ahead, idle, no job run yet (ms)",
        Unit.Milliseconds, Baseline.P50, Target.AtMost(20, "≤ 20 ms (W4/W5 warm)"));

    public IReadOnlyList<Metric> Metrics => [Registered, FirstJob, FirstJobOnNode, FirstJobOnSpare];

    public async Task RunAsync(BenchContext context)
    {
        for (var i = 0; i < _iterations; i++)
        {
            await using var session = await context.StartManagerAsync("coldstart", new WorkerConfig { MaxWorkers = 1 });
            var registered = session.Tap.Next<WorkerStarted>();
            var completed = session.Tap.Next<JobCompleted>();
            var start = Stopwatch.GetTimestamp();
            session.SubmitEcho();
            var registeredAt = (await session.WithinStepAsync(registered, "the node's registration", context.Cancellation)).Timestamp;
            var completedAt = (await session.WithinStepAsync(completed, "the first job", context.Cancellation)).Timestamp;
            context.Record(Registered, Stats.Milliseconds(start, registeredAt));
            context.Record(FirstJob, Stats.Milliseconds(start, completedAt));
            context.Record(FirstJobOnNode, Stats.Milliseconds(registeredAt, completedAt));
        }
        for (var i = 0; i < _iterations; i++)
            await MeasureFirstJobOnSpareAsync(context);
    }

    /// <summary>
    /// The first job of a node started ahead of it (a warm spare, a pool started with its application) that has had
    /// time to settle. W4 and W5 with a warm spare measure the next job on a node that has already run jobs; this is a
    /// node's very first, which pays what a process does once (the plugin's load, the serializer's set-up).
    /// </summary>
    private async Task MeasureFirstJobOnSpareAsync(BenchContext context)
    {
        await using var session = await context.StartManagerAsync("coldstart", new WorkerConfig { MaxWorkers = 1, WarmSpares = 1 });
        await session.WaitForIdleWorkersAsync(1, context.Cancellation);
        await session.SettleAsync(context.Cancellation);
        var completed = session.Tap.Next<JobCompleted>();
        var start = Stopwatch.GetTimestamp();
        session.SubmitEcho();
        var completedAt = (await session.WithinStepAsync(completed, "the first job on the spare", context.Cancellation)).Timestamp;
        context.Record(FirstJobOnSpare, Stats.Milliseconds(start, completedAt));
    }
}
