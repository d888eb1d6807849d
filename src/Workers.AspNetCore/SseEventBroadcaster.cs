using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Workers.Actors;

namespace Workers.AspNetCore;

/// <summary>One server-sent event: its id, its name (<c>job.started</c>) and its JSON data.</summary>
public sealed record SseEvent(long Id, string Name, string Data);

/// <summary>
/// An <see cref="IEventBroadcaster"/> that turns a manager's events into server-sent events for every connected
/// client (see <see cref="WorkersEventsEndpoints.MapWorkersEvents"/>). Each event gets an increasing id and is kept in
/// a bounded replay buffer, so a client that reconnects with <c>Last-Event-ID</c> gets what it missed.
/// </summary>
/// <remarks>
/// Events are named <c>job.queued</c>, <c>job.started</c>, <c>job.chunk</c>, <c>job.progress</c>, <c>job.completed</c>,
/// <c>job.failed</c>, <c>job.cancelled</c>, <c>worker.started</c>, <c>worker.exited</c>, <c>worker.restarting</c> and
/// <c>worker.failed</c>; the data is the event record in camelCase JSON plus <c>workerType</c>.
/// <see cref="BroadcastAsync"/> never waits for a client: each client has a bounded queue, and a client whose queue
/// is full (a slow or dead connection) is disconnected. A browser's <c>EventSource</c> then reconnects by itself and
/// resumes from the replay buffer. One instance can serve several managers.
/// </remarks>
public sealed class SseEventBroadcaster : IEventBroadcaster
{
    /// <summary>The JSON settings of the event data: camelCase, enums as camelCase strings.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly Lock _gate = new();
    private readonly SseEvent[] _replay;
    private readonly int _clientBuffer;
    private readonly List<Channel<SseEvent>> _clients = [];
    private long _lastId;

    /// <param name="replayBuffer">How many of the latest events a reconnecting client can get again (default 2,048).</param>
    /// <param name="clientBuffer">How many events may wait for one client before it is disconnected (default 4,096).</param>
    public SseEventBroadcaster(int replayBuffer = 2048, int clientBuffer = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replayBuffer, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(clientBuffer, 1);
        _replay = new SseEvent[replayBuffer];
        _clientBuffer = clientBuffer;
    }

    /// <summary>The id of the latest event (0 before the first).</summary>
    public long LastEventId
    {
        get
        {
            lock (_gate)
                return _lastId;
        }
    }

    /// <summary>The number of connected clients.</summary>
    public int ClientCount
    {
        get
        {
            lock (_gate)
                return _clients.Count;
        }
    }

    public Task BroadcastAsync(string eventType, object data)
    {
        var workerType = eventType.Split(':', 2)[0];
        var node = JsonSerializer.SerializeToNode(data, data.GetType(), JsonOptions)!.AsObject();
        node["workerType"] = workerType;
        var json = node.ToJsonString(JsonOptions);
        lock (_gate)
        {
            var @event = new SseEvent(++_lastId, NameOf(data), json);
            _replay[@event.Id % _replay.Length] = @event;
            for (var i = _clients.Count - 1; i >= 0; i--)
            {
                if (_clients[i].Writer.TryWrite(@event))
                    continue;
                // Too far behind: disconnect it rather than wait or buffer without limit.
                _clients[i].Writer.TryComplete(new SseClientTooSlowException());
                _clients.RemoveAt(i);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Connects a client: the events after <paramref name="lastEventId"/> still in the replay buffer (none when null),
    /// then every new event until <see cref="SseSubscription.Dispose"/> or until the client falls behind, which ends
    /// its reader with <see cref="SseClientTooSlowException"/>.
    /// </summary>
    public SseSubscription Subscribe(long? lastEventId = null)
    {
        var channel = Channel.CreateBounded<SseEvent>(new BoundedChannelOptions(_clientBuffer)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the client is then dropped
        });
        lock (_gate)
        {
            var replay = new List<SseEvent>();
            if (lastEventId is { } after && after < _lastId)
            {
                var from = Math.Max(after + 1, _lastId - _replay.Length + 1);
                for (var id = from; id <= _lastId; id++)
                    replay.Add(_replay[id % _replay.Length]);
            }
            _clients.Add(channel);
            return new SseSubscription(this, channel, replay);
        }
    }

    internal void Remove(Channel<SseEvent> channel)
    {
        lock (_gate)
            _clients.Remove(channel);
        channel.Writer.TryComplete();
    }

    /// <summary>The SSE name of a Workers event record (<c>job.started</c>, <c>worker.exited</c>, …).</summary>
    public static string NameOf(object @event) => @event switch
    {
        JobQueued => "job.queued",
        JobStarted => "job.started",
        JobChunk => "job.chunk",
        JobProgress => "job.progress",
        JobCompleted => "job.completed",
        JobFailed => "job.failed",
        JobCancelled => "job.cancelled",
        WorkerStarted => "worker.started",
        WorkerExited => "worker.exited",
        WorkerRestarting => "worker.restarting",
        WorkerFailed => "worker.failed",
        _ => throw new ArgumentException($"{@event.GetType().Name} is not a Workers event.", nameof(@event)),
    };
}

/// <summary>One connected client: the replayed events, then the live ones.</summary>
public sealed class SseSubscription : IDisposable
{
    private readonly SseEventBroadcaster _owner;
    private readonly Channel<SseEvent> _channel;

    internal SseSubscription(SseEventBroadcaster owner, Channel<SseEvent> channel, IReadOnlyList<SseEvent> replay)
    {
        _owner = owner;
        _channel = channel;
        Replay = replay;
    }

    /// <summary>The events the client missed since its <c>Last-Event-ID</c>, oldest first.</summary>
    public IReadOnlyList<SseEvent> Replay { get; }

    /// <summary>The live events, in order.</summary>
    public ChannelReader<SseEvent> Events => _channel.Reader;

    public void Dispose() => _owner.Remove(_channel);
}

/// <summary>The client's queue of events was full: it was disconnected so that it never slows the others.</summary>
public sealed class SseClientTooSlowException() : Exception("The client fell too far behind the events and was disconnected.");
