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

    public IReadOnlyList<Metric> Metrics => [Registered, FirstJob, FirstJobOnNode];

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
    }
}
