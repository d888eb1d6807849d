using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

/// <summary>Job records for the unit tests of the manager's plain classes.</summary>
internal static class JobRecords
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static long _sequence;

    public static JobRecord New(string id, int priority = 0, JobOptions? options = null) =>
        new(id, "echo", new PluginTarget("echo", "{}", null), """{"text":"x"}""", (options ?? new JobOptions()) with { Priority = priority },
            Interlocked.Increment(ref _sequence), T0);
}
