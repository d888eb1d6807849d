using Akka.Actor;
using Akka.Event;

namespace Workers.Actors.Manager;

/// <summary>
/// Hands the manager's events to an <see cref="IEventBroadcaster"/> one at a time, in order, so that a slow broadcaster
/// never slows the manager. At most <c>capacity</c> events wait; past that, chunk and progress events are dropped
/// first (the job's result still carries the streamed text), then the oldest.
/// </summary>
internal sealed class EventBroadcastActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IEventBroadcaster _broadcaster;
    private readonly string _prefix;
    private readonly int _capacity;
    private readonly LinkedList<object> _waiting = new();
    private bool _sending;
    private long _dropped;

    public EventBroadcastActor(IEventBroadcaster broadcaster, string workerType, int capacity)
    {
        _broadcaster = broadcaster;
        _prefix = workerType + ":";
        _capacity = capacity;
        Receive<Sent>(sent =>
        {
            if (sent.Error is not null)
                _log.Warning("The event broadcaster failed on [{0}]: {1}", sent.EventType, sent.Error);
            SendNext();
        });
        Receive<IJobEvent>(Enqueue);
        Receive<IWorkerEvent>(Enqueue);
    }

    public static Props Props(IEventBroadcaster broadcaster, string workerType, int capacity) =>
        Akka.Actor.Props.Create(() => new EventBroadcastActor(broadcaster, workerType, capacity));

    private void Enqueue(object @event)
    {
        _waiting.AddLast(@event);
        if (_waiting.Count > _capacity)
            DropOne();
        if (!_sending)
            SendNext();
    }

    private void DropOne()
    {
        var victim = _waiting.First;
        for (var node = _waiting.First; node is not null; node = node.Next)
        {
            if (node.Value is JobChunk or JobProgress)
            {
                victim = node;
                break;
            }
        }
        _waiting.Remove(victim!);
        if (_dropped++ % 1000 == 0)
            _log.Warning("The event broadcaster is slower than the events: [{0}] dropped so far (chunks and progress first)", _dropped);
    }

    private void SendNext()
    {
        _sending = _waiting.First is not null;
        if (!_sending)
            return;
        var @event = _waiting.First!.Value;
        _waiting.RemoveFirst();
        var eventType = _prefix + WorkerEventNames.Of(@event);
        Task task;
        try
        {
            task = _broadcaster.BroadcastAsync(eventType, @event);
        }
        catch (Exception e)
        {
            task = Task.FromException(e);
        }
        task.ContinueWith(t => new Sent(eventType, t.Exception?.GetBaseException().Message), TaskScheduler.Default).PipeTo(Self);
    }

    private sealed record Sent(string EventType, string? Error);
}
