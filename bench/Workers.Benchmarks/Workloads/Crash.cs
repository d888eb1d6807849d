using System.Text.Json;
using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// W5: a <c>crash</c> job ends its node process abruptly: the time from its <see cref="JobStarted"/> to its
/// <see cref="JobFailed"/>, and from that to the completion of the echo job queued behind it.
/// </summary>
internal sealed class Crash : Recovery
{
    private static readonly JsonElement CrashParameters = JsonDocument.Parse("""{"exitCode":134}""").RootElement;

    public Crash(BenchOptions options, bool warm) : base(options, "W5 crash", warm)
    {
        Failed = new Metric(Workload, $"JobStarted → JobFailed, {Mode} (ms)", Unit.Milliseconds, Baseline.P50, Target.AtMost(50, "≤ 50 ms"));
        NextJob = new Metric(Workload, $"JobFailed → next queued job completed, {Mode} (ms)", Unit.Milliseconds, Baseline.P50,
            warm ? Target.AtMost(20, "≤ 20 ms") : Target.AtMost(300, "≤ 300 ms"));
    }

    public Metric Failed { get; }
    public Metric NextJob { get; }
    public override IReadOnlyList<Metric> Metrics => [Failed, NextJob];

    protected override async Task MeasureOnceAsync(ManagerSession session, BenchContext context, string suffix)
    {
        var cancellation = context.Cancellation;
        var tap = session.Tap;
        var crashId = $"crash-{suffix}";
        var echoId = $"echo-{suffix}";

        var started = tap.Next<JobStarted>(crashId);
        var failed = tap.Next<JobFailed>(crashId);
        var next = tap.Next<JobCompleted>(echoId);
        // Submitted back to back: the manager queues the echo job before the crash can be noticed.
        session.Submit("crash", CrashParameters, new JobOptions { JobId = crashId });
        session.SubmitEcho(echoId);

        var startedAt = (await session.WithinStepAsync(started, "the crash job's start", cancellation)).Timestamp;
        var failedAt = (await session.WithinStepAsync(failed, "the crash job's JobFailed", cancellation)).Timestamp;
        var nextAt = (await session.WithinStepAsync(next, "the queued echo job", cancellation)).Timestamp;
        context.Record(Failed, Stats.Milliseconds(startedAt, failedAt));
        context.Record(NextJob, Stats.Milliseconds(failedAt, nextAt));
    }
}
