using System.Diagnostics;
using Workers.Benchmarks.Workloads;

namespace Workers.Benchmarks.Harness;

/// <summary>
/// Runs every workload once per run, in the order of the table; a run of all of them before the next run, so that
/// a slow patch of the machine spreads over the workloads instead of falling on one. A workload that fails is
/// reported and the others go on; Ctrl-C stops at once (each manager still stops its nodes on the way out).
/// </summary>
internal sealed class BenchmarkRunner(BenchOptions options, NodeReaper reaper)
{
    public async Task<Results> RunAsync(CancellationToken cancellation)
    {
        // The jobs of nodes a manager starts travel on Workers' direct transport: its ping-pong is the baseline.
        var pingPong = new PingPong(options, direct: true);
        var pingPongDotNetty = new PingPong(options, direct: false);
        var oneNode = new Throughput(options, nodes: 1);
        IWorkload[] measured =
        [
            oneNode,
            new Throughput(options, nodes: 2, fewerNodes: oneNode),
            new Throughput(options, withoutJournal: oneNode),
            new Latency(options),
            new Streaming(options),
            new Cancel(options, warm: false),
            new Cancel(options, warm: true),
            new Crash(options, warm: false),
            new Crash(options, warm: true),
            new Memory(options),
            new ColdStart(options),
            new StoreRecovery(options),
        ];
        IWorkload[] workloads = [pingPong, pingPongDotNetty, .. measured.Where(w => options.Only is null || w.Name.Contains(options.Only, StringComparison.OrdinalIgnoreCase))];

        var results = new Results();
        foreach (var metric in workloads.SelectMany(w => w.Metrics))
            results.Declare(metric);
        results.DeclareBaseline(Baseline.P50, pingPong.P50);
        results.DeclareBaseline(Baseline.P99, pingPong.P99);
        results.DeclareBaseline(Baseline.Throughput, pingPong.RoundTripsPerSecond);
        results.DeclareBaseline(Baseline.Startup, pingPong.Startup);

        try
        {
            await RunAllAsync(workloads, results, cancellation);
        }
        finally
        {
            foreach (var workload in workloads.OfType<IDisposable>())
                workload.Dispose(); // files kept from one run to the next
        }
        return results;
    }

    private async Task RunAllAsync(IWorkload[] workloads, Results results, CancellationToken cancellation)
    {
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var workload in workloads)
            {
                cancellation.ThrowIfCancellationRequested();
                Console.Error.Write($"[run {run}/{options.Runs}] {workload.Name} ... ");
                var clock = Stopwatch.StartNew();
                try
                {
                    await workload.RunAsync(new BenchContext(options, results, reaper, run, cancellation));
                    Console.Error.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s");
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    Console.Error.WriteLine("interrupted");
                    throw;
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"FAILED: {e.Message}");
                    results.Fail($"run {run}, {workload.Name}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
    }
}
