namespace Workers.Benchmarks.Harness;

internal enum Unit
{
    /// <summary>Events per second; higher is better.</summary>
    PerSecond,

    /// <summary>A duration; lower is better.</summary>
    Milliseconds,

    /// <summary>A short duration (CPU time per job); lower is better.</summary>
    Microseconds,

    /// <summary>A size; lower is better.</summary>
    Bytes,
}

/// <summary>Which ping-pong figure a metric is compared with, in the table's "ratio to transport" column.</summary>
internal enum Baseline
{
    None,

    /// <summary>Pings answered per second with a window of pings in flight.</summary>
    Throughput,

    /// <summary>Median round trip of sequential pings.</summary>
    P50,

    /// <summary>99th percentile round trip of sequential pings.</summary>
    P99,

    /// <summary>A fresh process with an Akka.Remote ActorSystem, from its start to listening.</summary>
    Startup,
}

/// <summary>A target of DESIGN section 10: its text as written there, and whether a median meets it.</summary>
/// <param name="IsMet">The median, and a lookup of other metrics' medians (for targets relative to another figure).</param>
internal sealed record Target(string Text, Func<double, Func<Metric, double?>, bool> IsMet)
{
    public static Target AtLeast(double limit, string text) => new(text, (median, _) => median >= limit);

    public static Target AtMost(double limit, string text) => new(text, (median, _) => median <= limit);
}

/// <summary>One row of the results table. Metrics are compared by reference: each workload creates its own.</summary>
internal sealed class Metric(string workload, string name, Unit unit, Baseline baseline = Baseline.None, Target? target = null)
{
    public string Workload { get; } = workload;
    public string Name { get; } = name;
    public Unit Unit { get; } = unit;
    public Baseline Baseline { get; } = baseline;
    public Target? Target { get; } = target;

    public override string ToString() => $"{Workload}: {Name}";
}
