using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Workers.Actors;

/// <summary>
/// The metrics and traces of every job manager in the process, under the name <see cref="Name"/> ("Workers") for
/// both the <see cref="Meter"/> and the <see cref="ActivitySource"/>: add that name to OpenTelemetry
/// (<c>AddMeter("Workers")</c>, <c>AddSource("Workers")</c>) to export them. Every instrument carries the
/// <c>worker.type</c> tag; job instruments also <c>plugin</c>.
/// </summary>
/// <remarks>
/// Metrics: <c>workers.jobs.started</c>, <c>.completed</c>, <c>.failed</c>, <c>.cancelled</c> (counters),
/// <c>workers.jobs.pending</c> (queue depth, observable gauge), <c>workers.job.duration</c> (histogram of run time in
/// seconds, from start on a node to the end), <c>workers.worker.restarts</c>, <c>workers.worker.exits</c> and
/// <c>workers.chunks</c> (counters), <c>workers.store.recovered</c> (counter) and <c>workers.store.recovery.duration</c>
/// (histogram, seconds). Spans: <c>workers.job</c> from submission to the end, with a child
/// <c>workers.job.run</c> from the start on a node to the end; both end with the job's status. Spans are only
/// created while a listener samples the source, so an application without tracing pays nothing for them.
/// The manager calls these from its own thread; the instruments are thread-safe.
/// </remarks>
public static class WorkersTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Workers";

    public static readonly Meter Meter = new(Name);
    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Counter<long> JobsStarted = Meter.CreateCounter<long>("workers.jobs.started", "{job}", "Jobs started on a worker node.");
    private static readonly Counter<long> JobsCompleted = Meter.CreateCounter<long>("workers.jobs.completed", "{job}", "Jobs that completed.");
    private static readonly Counter<long> JobsFailed = Meter.CreateCounter<long>("workers.jobs.failed", "{job}", "Jobs that failed (including crashes and timeouts).");
    private static readonly Counter<long> JobsCancelled = Meter.CreateCounter<long>("workers.jobs.cancelled", "{job}", "Jobs that were cancelled.");
    private static readonly Histogram<double> JobDuration = Meter.CreateHistogram("workers.job.duration", "s", "Run time of a job, from its start on a node to its end.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800] });
    private static readonly Counter<long> WorkerRestarts = Meter.CreateCounter<long>("workers.worker.restarts", "{restart}", "Worker node restarts decided by the restart policy.");
    private static readonly Counter<long> WorkerExits = Meter.CreateCounter<long>("workers.worker.exits", "{exit}", "Worker node processes that exited.");
    private static readonly Counter<long> Chunks = Meter.CreateCounter<long>("workers.chunks", "{chunk}", "Stream chunks published to subscribers.");
    private static readonly Histogram<double> RecoveryDuration = Meter.CreateHistogram<double>("workers.store.recovery.duration", "s", "Time a manager took to read its jobs back from the job store.");
    private static readonly Counter<long> JobsRecovered = Meter.CreateCounter<long>("workers.store.recovered", "{job}", "Jobs read back from the job store when a manager started.");

    // Queue depth per worker type, written by each manager after every job event and read by the gauge's callback.
    private static readonly ConcurrentDictionary<string, int> PendingByType = new(StringComparer.Ordinal);

    // The open spans of running jobs, only while a listener samples the source.
    private static readonly ConcurrentDictionary<(string WorkerType, string JobId), JobSpans> Spans = new();

    static WorkersTelemetry() =>
        Meter.CreateObservableGauge("workers.jobs.pending", ObservePending, "{job}", "Jobs waiting in a manager's queue.");

    internal static void OnRecovered(string workerType, int jobs, TimeSpan took)
    {
        var tag = new KeyValuePair<string, object?>("worker.type", workerType);
        RecoveryDuration.Record(took.TotalSeconds, tag);
        JobsRecovered.Add(jobs, tag);
    }

    internal static void OnJobEvent(string workerType, IJobEvent @event, int pendingCount)
    {
        PendingByType[workerType] = pendingCount;
        switch (@event)
        {
            case JobChunk { IsFinal: false }:
                Chunks.Add(1, new KeyValuePair<string, object?>("worker.type", workerType));
                break;
            case JobQueued queued when ActivitySource.HasListeners():
                StartSpan(workerType, queued);
                break;
            case JobStarted started:
                JobsStarted.Add(1, Tags(workerType, started.PluginId));
                if (Spans.TryGetValue((workerType, started.JobId), out var spans))
                    spans.Started(started);
                break;
        }
    }

    internal static void OnJobEnded(string workerType, string pluginId, JobStatus status, DateTimeOffset? startedAt, DateTimeOffset? endedAt, IJobEvent terminal)
    {
        var tags = Tags(workerType, pluginId);
        switch (status)
        {
            case JobStatus.Completed:
                JobsCompleted.Add(1, tags);
                break;
            case JobStatus.Failed:
                JobsFailed.Add(1, tags);
                break;
            case JobStatus.Cancelled:
                JobsCancelled.Add(1, tags);
                break;
        }
        if (startedAt is { } start && endedAt is { } end)
            JobDuration.Record((end - start).TotalSeconds, tags);
        if (Spans.TryRemove((workerType, terminal.JobId), out var spans))
            spans.End(terminal);
    }

    internal static void OnWorkerEvent(string workerType, IWorkerEvent @event)
    {
        switch (@event)
        {
            case WorkerRestarting:
                WorkerRestarts.Add(1, new KeyValuePair<string, object?>("worker.type", workerType));
                break;
            case WorkerExited:
                WorkerExits.Add(1, new KeyValuePair<string, object?>("worker.type", workerType));
                break;
        }
    }

    /// <summary>A struct: recording a job's metrics allocates nothing.</summary>
    private static TagList Tags(string workerType, string pluginId) =>
        new() { { "worker.type", workerType }, { "plugin", pluginId } };

    private static IEnumerable<Measurement<int>> ObservePending() =>
        PendingByType.Select(pair => new Measurement<int>(pair.Value, new KeyValuePair<string, object?>("worker.type", pair.Key)));

    private static void StartSpan(string workerType, JobQueued queued)
    {
        // A job's span outlives the message that started it: it must not become the ambient Activity.Current of the
        // manager's thread (the next message would be its child).
        var ambient = Activity.Current;
        var job = ActivitySource.StartActivity("workers.job", ActivityKind.Internal, parentContext: default);
        Activity.Current = ambient;
        if (job is null)
            return;
        job.SetTag("worker.type", workerType);
        job.SetTag("plugin", queued.PluginId);
        job.SetTag("job.id", queued.JobId);
        Spans[(workerType, queued.JobId)] = new JobSpans(job);
    }

    private sealed class JobSpans(Activity job)
    {
        private Activity? _run;

        public void Started(JobStarted started)
        {
            var ambient = Activity.Current;
            _run = ActivitySource.StartActivity("workers.job.run", ActivityKind.Internal, job.Context);
            Activity.Current = ambient;
            _run?.SetTag("worker.id", started.WorkerId);
            _run?.SetTag("worker.pid", started.WorkerPid);
            job.SetTag("worker.id", started.WorkerId);
        }

        public void End(IJobEvent terminal)
        {
            foreach (var activity in new[] { _run, job })
            {
                if (activity is null)
                    continue;
                switch (terminal)
                {
                    case JobCompleted:
                        activity.SetTag("job.status", "completed");
                        activity.SetStatus(ActivityStatusCode.Ok);
                        break;
                    case JobFailed failed:
                        activity.SetTag("job.status", "failed");
                        activity.SetStatus(ActivityStatusCode.Error, failed.Error);
                        break;
                    default:
                        activity.SetTag("job.status", "cancelled");
                        break;
                }
                var ambient = Activity.Current;
                activity.Stop();
                Activity.Current = ambient;
            }
        }
    }
}
