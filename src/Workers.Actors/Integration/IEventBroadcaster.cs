namespace Workers.Actors;

/// <summary>
/// Receives every job and worker event of a manager as <c>{workerType}:{event}</c> (for example
/// <c>transcription:started</c>), with the event record as data, to forward to web clients (server-sent events,
/// WebSockets). Calls are made one at a time, in event order, off the manager's thread; a slow broadcaster never slows
/// the manager (see <see cref="JobManagerOptions.EventBroadcaster"/>).
/// </summary>
public interface IEventBroadcaster
{
    Task BroadcastAsync(string eventType, object data);
}

/// <summary>The event names of <see cref="IEventBroadcaster"/>: the original's <c>started</c> and <c>cancelled</c>, and the rest.</summary>
public static class WorkerEventNames
{
    public static string Of(object @event) => @event switch
    {
        JobQueued => "queued",
        JobStarted => "started",
        JobChunk => "chunk",
        JobProgress => "progress",
        JobCompleted => "completed",
        JobFailed => "failed",
        JobCancelled => "cancelled",
        WorkerStarted => "worker_started",
        WorkerExited => "worker_exited",
        WorkerRestarting => "worker_restarting",
        WorkerFailed => "worker_failed",
        _ => throw new ArgumentException($"{@event.GetType().Name} is not a Workers event.", nameof(@event)),
    };
}
