using System.Globalization;

namespace Workers.Benchmarks.Harness;

/// <summary>The results as Markdown: the machine, then one table row per metric.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter output, MachineInfo machine, BenchOptions options, Results results, RunConditions conditions)
    {
        output.WriteLine("# Workers benchmarks");
        output.WriteLine();
        output.WriteLine($"- CPU: {machine.Cpu}, {machine.Cores} cores (nproc)");
        output.WriteLine($"- Memory: {machine.Memory}");
        output.WriteLine($"- OS: {machine.Os}");
        output.WriteLine($"- .NET: {machine.Runtime}; Akka.NET {machine.Akka}");
        output.WriteLine($"- Run: {(options.Quick ? "quick (smoke run: small sizes)" : "full")}, {options.Runs} run(s) of each workload, "
                         + $"{options.Iterations} measurement(s) per run for cancel, crash and cold start; took {conditions.Took:m\\:ss}");
        if (conditions.LoadBefore is not null)
            output.WriteLine($"- Load average (1 / 5 / 15 min): {conditions.LoadBefore} at the start, {conditions.LoadAfter} at the end");
        if (conditions.OthersShare is { } share)
            output.WriteLine($"- Other processes used {share:P0} of the machine's CPU time during the run"
                             + (share > 0.1 ? " — the machine was shared: the figures are pessimistic" : ""));
        output.WriteLine();
        output.WriteLine("| workload | metric | median | min | max | ratio to transport | target | met |");
        output.WriteLine("|---|---|--:|--:|--:|--:|---|---|");
        foreach (var metric in results.Metrics)
        {
            var summary = results.Summary(metric);
            string[] values = summary is { } s
                ? [Format(s.Median, metric.Unit), Format(s.Min, metric.Unit), Format(s.Max, metric.Unit)]
                : ["failed", "", ""];
            var met = summary is { } measured && metric.Target is { } target
                ? target.IsMet(measured.Median, results.Median) ? "yes" : "**no**"
                : "";
            var ratio = results.RatioToTransport(metric) is { } r ? FormatRatio(r) : "";
            output.WriteLine($"| {metric.Workload} | {metric.Name} | {string.Join(" | ", values)} | {ratio} | {metric.Target?.Text} | {met} |");
        }
        output.WriteLine();
        output.WriteLine("Median, min and max are over all samples: one per run, or one per measurement where a run makes several. "
                         + $"Ratio to transport: a throughput divided by the direct transport's ping-pong pings answered per second ({options.PingWindow:N0} in flight); a latency "
                         + "divided by its round trip p50 (p99 rows by its p99); a node start divided by its ping-pong peer's own "
                         + "start (a fresh process with an Akka.Remote ActorSystem). Targets are those of DESIGN section 10.");
        if (results.Failures.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Failures:");
            foreach (var failure in results.Failures)
                output.WriteLine($"- {failure}");
        }
    }

    private static string Format(double value, Unit unit) => unit switch
    {
        Unit.PerSecond => value.ToString("N0", Invariant),
        Unit.Bytes => value.ToString("N0", Invariant),
        Unit.Microseconds => value.ToString("N0", Invariant),
        _ => value switch
        {
            < 1 => value.ToString("0.000", Invariant),
            < 10 => value.ToString("0.00", Invariant),
            < 100 => value.ToString("0.0", Invariant),
            _ => value.ToString("N0", Invariant),
        },
    };

    private static string FormatRatio(double ratio) =>
        (ratio < 10 ? ratio.ToString("0.00", Invariant) : ratio.ToString("N0", Invariant)) + "×";
}
