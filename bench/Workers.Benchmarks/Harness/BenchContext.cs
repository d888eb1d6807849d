using Workers.Actors;

namespace Workers.Benchmarks.Harness;

/// <summary>What a workload gets for one run: the sizes, where samples go, the process reaper and the Ctrl-C token.</summary>
internal sealed record BenchContext(BenchOptions Options, Results Results, NodeReaper Reaper, int Run, CancellationToken Cancellation)
{
    public void Record(Metric metric, double value) => Results.Add(metric, value);

    public Task<ManagerSession> StartManagerAsync(string workerType, WorkerConfig worker) =>
        ManagerSession.StartAsync(workerType, Options.PipelineDepth is { } depth ? worker with { PipelineDepth = depth } : worker, this);
}
