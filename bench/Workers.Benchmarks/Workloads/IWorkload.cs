using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>One workload: the rows it adds to the table, and one run of it, which records a sample per row (or more).</summary>
internal interface IWorkload
{
    string Name { get; }

    IReadOnlyList<Metric> Metrics { get; }

    Task RunAsync(BenchContext context);
}
