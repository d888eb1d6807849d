using System.Diagnostics;
using System.Text.Json;
using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// W4: a running <c>busy</c> job (which never looks at its cancellation token) is cancelled: the time from
/// <see cref="CancelJob"/> to <see cref="CancelJobResult"/> (the node process is gone by then) and to the
/// <see cref="JobCancelled"/> event, and to the completion of the echo job queued behind it.
/// </summary>
internal sealed class Cancel : Recovery
{
    private static readonly JsonElement BusyParameters = JsonDocument.Parse("""{"ms":60000}""").RootElement;

    public Cancel(BenchOptions options, bool warm) : base(options, "W4 cancel", warm)
    {
        Cancelled = new Metric(Workload, $"CancelJob → CancelJobResult, process gone, {Mode} (ms)", Unit.Milliseconds, Baseline.P50,
            Target.AtMost(20, "≤ 20 ms"));
        CancelledEvent = new Metric(Workload, $"CancelJob → JobCancelled at subscriber, {Mode} (ms)", Unit.Milliseconds, Baseline.P50,
            Target.AtMost(20, "≤ 20 ms"));
        NextJob = new Metric(Workload, $"CancelJob → next queued job completed, {Mode} (ms)", Unit.Milliseconds, Baseline.P50,
            warm ? Target.AtMost(20, "≤ 20 ms") : Target.AtMost(300, "≤ 300 ms"));
    }

    public Metric Cancelled { get; }
    public Metric CancelledEvent { get; }
    public Metric NextJob { get; }
    public override IReadOnlyList<Metric> Metrics => [Cancelled, CancelledEvent, NextJob];

    protected override async Task MeasureOnceAsync(ManagerSession session, BenchContext context, string suffix)
    {
        var cancellation = context.Cancellation;
        var tap = session.Tap;
        var busyId = $"busy-{suffix}";
        var echoId = $"echo-{suffix}";

        var started = tap.Next<JobStarted>(busyId);
        session.Submit("busy", BusyParameters, new JobOptions { JobId = busyId });
        var pid = (await session.WithinStepAsync(started, "the busy job's start", cancellation)).Message.WorkerPid;
        var queued = tap.Next<JobQueued>(echoId);
        session.SubmitEcho(echoId);
        await session.WithinStepAsync(queued, "the echo job queued behind it", cancellation);
        // JobStarted means the job was handed to the slot; give the node time to be spinning in the plugin.
        await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation);

        var reply = tap.Next<CancelJobResult>(result => result.JobId == busyId);
        var cancelledEvent = tap.Next<JobCancelled>(busyId);
        var next = tap.Next<JobCompleted>(echoId);
        var cancelAt = Stopwatch.GetTimestamp();
        session.Manager.Tell(new CancelJob(busyId), tap.Ref);

        var result = await session.WithinStepAsync(reply, "the CancelJobResult", cancellation);
        if (!result.Message.Cancelled)
            throw new InvalidOperationException($"The running busy job was not cancelled: {result.Message.Reason}");
        if (!NodeReaper.HasExited(pid))
            throw new InvalidOperationException($"The cancel was answered while the busy job's node (pid {pid}) still ran.");
        context.Record(Cancelled, Stats.Milliseconds(cancelAt, result.Timestamp));
        context.Record(CancelledEvent, Stats.Milliseconds(cancelAt, (await session.WithinStepAsync(cancelledEvent, "JobCancelled", cancellation)).Timestamp));
        context.Record(NextJob, Stats.Milliseconds(cancelAt, (await session.WithinStepAsync(next, "the queued echo job", cancellation)).Timestamp));
    }
}
