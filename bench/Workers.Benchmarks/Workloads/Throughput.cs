using System.Diagnostics;
using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// W1: many no-op echo jobs submitted at once, on one or more nodes; jobs per second from the first submit to the
/// last <see cref="JobCompleted"/> heard by the all-jobs subscriber.
/// </summary>
internal sealed class Throughput : IWorkload
{
    private const string Workload = "W1 throughput";
    private readonly int _nodes;
    private readonly int _jobs;
    private readonly bool _journaled;

    /// <param name="fewerNodes">The same workload on fewer nodes: this one should do more ("and more with two nodes").</param>
    public Throughput(BenchOptions options, int nodes, Throughput? fewerNodes = null)
    {
        _nodes = nodes;
        _jobs = options.ThroughputJobs;
        Name = $"{Workload}, {Nodes(nodes)}";
        var target = fewerNodes is null
            ? Target.AtLeast(50_000, "≥ 50,000")
            : new Target($"≥ 50,000, and more than on {Nodes(fewerNodes._nodes)}",
                (median, medianOf) => median >= 50_000 && median > (medianOf(fewerNodes.JobsPerSecond) ?? double.MaxValue));
        JobsPerSecond = new Metric(Workload, $"{_jobs:N0} echo jobs at once, {Nodes(nodes)} (jobs/s)", Unit.PerSecond, Baseline.Throughput, target);
        ManagerCpu = new Metric(Workload, $"manager process CPU per job, {Nodes(nodes)} (µs)", Unit.Microseconds);
        NodeCpu = new Metric(Workload, $"node processes CPU per job, {Nodes(nodes)} (µs)", Unit.Microseconds);
        ManagerAllocations = new Metric(Workload, $"manager process allocations per job, {Nodes(nodes)} (bytes)", Unit.Bytes);
    }

    /// <summary>The same workload with the default job store, a SQLite file (issue 6: at most halves the throughput).</summary>
    public Throughput(BenchOptions options, Throughput withoutJournal)
    {
        _nodes = withoutJournal._nodes;
        _jobs = options.ThroughputJobs;
        _journaled = true;
        var nodes = Nodes(_nodes);
        Name = $"{Workload}, {nodes}, SQLite journal";
        JobsPerSecond = new Metric(Workload, $"{_jobs:N0} echo jobs at once, {nodes}, SQLite journal (jobs/s)", Unit.PerSecond, Baseline.Throughput,
            new Target("≥ half of the figure without a journal",
                (median, medianOf) => median >= 0.5 * (medianOf(withoutJournal.JobsPerSecond) ?? double.MaxValue)));
        ManagerCpu = new Metric(Workload, $"manager process CPU per job, {nodes}, SQLite journal (µs)", Unit.Microseconds);
        NodeCpu = new Metric(Workload, $"node processes CPU per job, {nodes}, SQLite journal (µs)", Unit.Microseconds);
        ManagerAllocations = new Metric(Workload, $"manager process allocations per job, {nodes}, SQLite journal (bytes)", Unit.Bytes);
    }

    public string Name { get; }
    public Metric JobsPerSecond { get; }
    public Metric ManagerCpu { get; }
    public Metric NodeCpu { get; }
    public Metric ManagerAllocations { get; }
    public IReadOnlyList<Metric> Metrics => [JobsPerSecond, ManagerCpu, NodeCpu, ManagerAllocations];

    public async Task RunAsync(BenchContext context)
    {
        var cancellation = context.Cancellation;
        using var database = _journaled ? new TemporaryDatabase() : null;
        await using var session = await context.StartManagerAsync("throughput", new WorkerConfig { MaxWorkers = _nodes },
            database is null ? null : JobStoreOptions.Sqlite(database.Path));
        await session.WarmUpAsync(context.Options.WarmUpJobs * _nodes, cancellation);

        var last = session.Tap.Nth<JobCompleted>(_jobs);
        var meter = ResourceMeter.Start(session.NodePids);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < _jobs; i++)
            session.SubmitEcho();
        var end = await session.WithinStepAsync(last, $"{_jobs:N0} echo jobs", cancellation);
        var used = meter.Elapsed();
        context.Record(JobsPerSecond, Stats.PerSecond(_jobs, start, end.Timestamp));
        context.Record(ManagerCpu, used.ManagerCpu.TotalMicroseconds / _jobs);
        context.Record(NodeCpu, used.NodesCpu.TotalMicroseconds / _jobs);
        context.Record(ManagerAllocations, used.ManagerAllocatedBytes / (double)_jobs);
    }

    private static string Nodes(int nodes) => nodes == 1 ? "1 node" : $"{nodes} nodes";
}
