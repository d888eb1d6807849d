using System.Diagnostics;

namespace Workers.Benchmarks.Harness;

/// <summary>The median, smallest and largest of a set of samples.</summary>
internal readonly record struct Summary(double Median, double Min, double Max, int Count);

/// <summary>Percentiles and summaries of samples, and Stopwatch timestamps turned into durations.</summary>
internal static class Stats
{
    /// <summary>The p-th percentile (0 ≤ p ≤ 100), interpolated linearly between the closest ranks.</summary>
    public static double Percentile(IReadOnlyCollection<double> samples, double p)
    {
        if (samples.Count == 0)
            throw new ArgumentException("No samples.", nameof(samples));
        var sorted = samples.Order().ToArray();
        var rank = p / 100 * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
    }

    public static Summary Summarize(IReadOnlyCollection<double> samples) =>
        new(Percentile(samples, 50), samples.Min(), samples.Max(), samples.Count);

    /// <summary>The time between two <see cref="Stopwatch.GetTimestamp"/> values, in milliseconds.</summary>
    public static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    /// <summary>How many events per second <paramref name="count"/> events between two timestamps make.</summary>
    public static double PerSecond(long count, long from, long to) => count * (double)Stopwatch.Frequency / (to - from);
}
