using Akka.Actor;

namespace Workers.Actors.Manager;

/// <summary>
/// Who hears which events: all-jobs subscribers hear everything, per-job subscribers the events of their job.
/// An actor subscribed both ways hears each event once. <see cref="IsKnown"/> tells the manager whether it still
/// needs to watch an actor.
/// </summary>
internal sealed class Subscribers
{
    private readonly HashSet<IActorRef> _all = [];
    private readonly Dictionary<string, HashSet<IActorRef>> _byJob = [];

    public bool HasAny => _all.Count > 0 || _byJob.Count > 0;

    public void Add(IActorRef subscriber, string? jobId)
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
        _all.Remove(subscriber);
        foreach (var (jobId, set) in _byJob.ToList())
        {
            if (set.Remove(subscriber) && set.Count == 0)
                _byJob.Remove(jobId);
        }
    }

    /// <summary>Forgets the per-job subscribers of a job that has ended; returns them so they can be unwatched.</summary>
    public IReadOnlyCollection<IActorRef> DropJob(string jobId) =>
        _byJob.Remove(jobId, out var set) ? set : [];

    public bool IsKnown(IActorRef subscriber) =>
        _all.Contains(subscriber) || _byJob.Values.Any(set => set.Contains(subscriber));

    public void Publish(IJobEvent @event, IActorRef sender)
    {
        foreach (var subscriber in _all)
            subscriber.Tell(@event, sender);
        if (_byJob.TryGetValue(@event.JobId, out var set))
        {
            foreach (var subscriber in set)
            {
                if (!_all.Contains(subscriber))
                    subscriber.Tell(@event, sender);
            }
        }
    }

    public void Publish(IWorkerEvent @event, IActorRef sender)
    {
        foreach (var subscriber in _all)
            subscriber.Tell(@event, sender);
    }
}
