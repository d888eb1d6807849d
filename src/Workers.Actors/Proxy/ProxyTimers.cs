using Akka.Event;

namespace Workers.Actors.Proxy;

// The timers both kinds of proxy keep (WorkerProxyActor for spawned nodes, RemoteNodeProxyActor for nodes on other
// hosts): their keys and the messages they deliver to the proxy itself. In-process only.

/// <summary>The running job passed its time limit.</summary>
internal sealed record JobTimedOut(string JobId, TimeSpan After) : IDeadLetterSuppression;

/// <summary>The node sent no heartbeat within <see cref="WorkerConfig.HeartbeatTimeout"/>.</summary>
internal sealed class HeartbeatMissed : IDeadLetterSuppression
{
    public static readonly HeartbeatMissed Instance = new();
}

/// <summary>A node asked to stop did not within <see cref="WorkerConfig.ShutdownTimeout"/>.</summary>
internal sealed class StopTimedOut : IDeadLetterSuppression
{
    public static readonly StopTimedOut Instance = new();
}

/// <summary>One watchdog per node: first the start timeout (spawned nodes), then the heartbeat timeout.</summary>
internal sealed class WatchdogKey
{
    public static readonly WatchdogKey Instance = new();
}

internal sealed class JobTimeoutKey
{
    public static readonly JobTimeoutKey Instance = new();
}

internal sealed class StopTimeoutKey
{
    public static readonly StopTimeoutKey Instance = new();
}
