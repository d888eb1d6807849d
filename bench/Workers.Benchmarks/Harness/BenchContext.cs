using Workers.Actors;

namespace Workers.Benchmarks.Harness;

/// <summary>What a workload gets for one run: the sizes, where samples go, the process reaper and the Ctrl-C token.</summary>
internal sealed record BenchContext(BenchOptions Options, Results Results, NodeReaper Reaper, int Run, CancellationToken Cancellation)
{
    public void Record(Metric metric, double value) => Results.Add(metric, value);

    /// <summary>A manager without a job store unless <paramref name="store"/> says otherwise: the workloads measure the job path.</summary>
    public Task<ManagerSession> StartManagerAsync(string workerType, WorkerConfig worker, JobStoreOptions? store = null)
    {
        if (Options.PipelineDepth is { } depth)
            worker = worker with { PipelineDepth = depth };
        if (Options.SetsPipelineWindow)
            worker = worker with { PipelineWindow = Options.PipelineWindow };
        return ManagerSession.StartAsync(workerType, worker, this, store ?? JobStoreOptions.None);
    }
}
