using Akka.Actor;

namespace Workers.Actors.Manager;

/// <summary>
/// Who hears which events: all-jobs subscribers hear everything, per-job subscribers the events of their job.
/// An actor subscribed both ways hears each event once. <see cref="IsKnown"/> tells the manager whether it still
/// needs to watch an actor. Flow-controlled subscribers have a window of unacknowledged events; while one is past
/// it, <see cref="MustHoldBack"/> is true.
/// </summary>
internal sealed class Subscribers
{
    private readonly HashSet<IActorRef> _all = [];
    private readonly Dictionary<string, HashSet<IActorRef>> _byJob = [];
    private readonly Dictionary<IActorRef, AckWindow> _windows = [];
    private int _overWindow;

    public bool HasAny => _all.Count > 0 || _byJob.Count > 0;

    /// <summary>Some flow-controlled subscriber has more unacknowledged events than its window.</summary>
    public bool MustHoldBack => _overWindow > 0;

    public void Add(IActorRef subscriber, string? jobId, int? ackWindow = null)
    {
        if (ackWindow is { } window)
            _windows.TryAdd(subscriber, new AckWindow(window));
        AddTo(subscriber, jobId);
    }

    /// <summary>Counts handled events of a flow-controlled subscriber.</summary>
    public void Ack(IActorRef subscriber, int count)
    {
        if (_windows.TryGetValue(subscriber, out var window))
            Track(window, Math.Max(0, window.Outstanding - count));
    }

    private void Track(AckWindow window, int outstanding)
    {
        var wasOver = window.IsOver;
        window.Outstanding = outstanding;
        _overWindow += (window.IsOver ? 1 : 0) - (wasOver ? 1 : 0);
    }

    // Every event passes here, once per subscriber: no closure on the way.
    private void Deliver(IActorRef subscriber, object @event, IActorRef sender)
    {
        subscriber.Tell(@event, sender);
        if (_windows.TryGetValue(subscriber, out var window))
            Track(window, window.Outstanding + 1);
    }

    private void AddTo(IActorRef subscriber, string? jobId)
    {
        if (jobId is null)
            _all.Add(subscriber);
        else if (_byJob.TryGetValue(jobId, out var set))
            set.Add(subscriber);
        else
            _byJob[jobId] = [subscriber];
    }

    public void RemoveEverywhere(IActorRef subscriber)
    {
        if (_windows.Remove(subscriber, out var window) && window.IsOver)
            _overWindow--;
        _all.Remove(subscriber);
        foreach (var (jobId, set) in _byJob.ToList())
        {
            if (set.Remove(subscriber) && set.Count == 0)
                _byJob.Remove(jobId);
        }
    }

    /// <summary>Forgets the per-job subscribers of a job that has ended; returns them so they can be unwatched.</summary>
    public IReadOnlyCollection<IActorRef> DropJob(string jobId) =>
        _byJob.Remove(jobId, out var set) ? set : Array.Empty<IActorRef>(); // not [], which would be a new HashSet for every job

    public bool IsKnown(IActorRef subscriber) =>
        _all.Contains(subscriber) || _byJob.Values.Any(set => set.Contains(subscriber));

    public void Publish(IJobEvent @event, IActorRef sender)
    {
        foreach (var subscriber in _all)
            Deliver(subscriber, @event, sender);
        if (_byJob.TryGetValue(@event.JobId, out var set))
        {
            foreach (var subscriber in set)
            {
                if (!_all.Contains(subscriber))
                    Deliver(subscriber, @event, sender);
            }
        }
    }

    public void Publish(IWorkerEvent @event, IActorRef sender)
    {
        foreach (var subscriber in _all)
            Deliver(subscriber, @event, sender);
    }

    private sealed class AckWindow(int size)
    {
        public int Outstanding { get; set; }
        public bool IsOver => Outstanding > size;
    }
}
