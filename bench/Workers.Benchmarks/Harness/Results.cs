namespace Workers.Benchmarks.Harness;

/// <summary>The samples of every metric over all runs, the failures, and which metrics are the transport's baselines.</summary>
internal sealed class Results
{
    private readonly List<Metric> _order = [];
    private readonly Dictionary<Metric, List<double>> _samples = [];
    private readonly Dictionary<Baseline, Metric> _baselines = [];
    private readonly List<string> _failures = [];

    public IReadOnlyList<Metric> Metrics => _order;
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Declares a metric, so that the table lists it (in declaration order) even if it has no sample.</summary>
    public void Declare(Metric metric)
    {
        if (_samples.TryAdd(metric, []))
            _order.Add(metric);
    }

    public void DeclareBaseline(Baseline kind, Metric metric)
    {
        Declare(metric);
        _baselines[kind] = metric;
    }

    public void Add(Metric metric, double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, $"{metric} must be a finite number.");
        Declare(metric);
        _samples[metric].Add(value);
    }

    public void Fail(string what) => _failures.Add(what);

    public Summary? Summary(Metric metric) =>
        _samples.TryGetValue(metric, out var samples) && samples.Count > 0 ? Stats.Summarize(samples) : null;

    public double? Median(Metric metric) => Summary(metric)?.Median;

    /// <summary>The median of a metric divided by the median of its ping-pong baseline.</summary>
    public double? RatioToTransport(Metric metric) =>
        metric.Baseline != Baseline.None
        && _baselines.TryGetValue(metric.Baseline, out var baseline)
        && !ReferenceEquals(baseline, metric)
        && Median(metric) is { } value
        && Median(baseline) is { } reference and > 0
            ? value / reference
            : null;
}
