using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;

namespace Workers.Actors;

/// <summary>
/// An Akka.Remote transport for the links between a manager and the nodes it starts on its own host: plain TCP with
/// each frame written by the thread that hands it over and read by a thread of its own per link. Akka.Remote's
/// protocol, serialization, DeathWatch and untrusted mode run on top of it unchanged; its addresses read
/// <c>akka.direct://system@host:port</c>.
/// </summary>
/// <remarks>
/// <para>
/// Why: Akka.Remote's DotNetty transport passes each message through three thread hand-offs of its own (the sender's
/// event loop, the receiver's socket thread, the receiver's event loop) on top of Akka.Remote's. On the 2-core machine
/// of docs/benchmarks.md a round trip between two processes took 0.08–0.11 ms at the median over DotNetty and
/// 0.04–0.05 ms over this transport. With a thousand messages in flight DotNetty answers more a second (its event loop
/// gathers the writes that come while it is busy into one system call; this transport makes one per message), which
/// no workload of the benchmark shows: jobs sent ahead and their outcomes already travel in batches.
/// </para>
/// <para>
/// What it leaves out, which is why nodes on other hosts keep DotNetty: TLS and a public hostname. It listens on
/// loopback by default (<c>akka.remote.workers-direct.hostname</c>). The largest frame is the DotNetty transport's
/// <c>maximum-frame-size</c>, so one setting governs both; a larger frame on the way in closes the link.
/// </para>
/// <para>
/// A write never blocks: what the socket cannot take at once waits in a backlog that a pool task sends in order; past
/// <see cref="BacklogLimitFrames"/> frames' worth the transport answers "busy" and Akka.Remote's endpoint writer
/// buffers and retries, as it does for any transport.
/// </para>
/// </remarks>
internal sealed class DirectTcpTransport : Akka.Remote.Transport.Transport
{
    /// <summary>The transport's scheme; Akka.Remote prefixes it with <c>akka.</c>.</summary>
    public const string Scheme = "direct";

    /// <summary>The protocol of this transport's actor addresses.</summary>
    public const string Protocol = "akka." + Scheme;

    /// <summary>The transport's settings (<c>akka.remote.enabled-transports</c> names it).</summary>
    public const string ConfigPath = "akka.remote.workers-direct";

    /// <summary>How many largest frames' worth of bytes may wait on one link before writes are refused for a while.</summary>
    internal const int BacklogLimitFrames = 4;

    /// <summary>As long as DotNetty's default <c>connection-timeout</c>.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<DirectTcpHandle, byte> _handles = new();
    private readonly TaskCompletionSource<IAssociationEventListener> _associations = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _hostname;
    private readonly int _port;
    private readonly int _bufferBytes;
    private readonly ILoggingAdapter _log;
    private Socket? _listener;
    private bool _shutDown;
    private Address? _localAddress;

    /// <summary>Called by Akka.Remote with the transport's own section of the configuration.</summary>
    public DirectTcpTransport(ActorSystem system, Config config)
    {
        System = system;
        Config = config;
        SchemeIdentifier = Scheme;
        MaximumPayloadBytes = WireLimits.FrameBytes(system.Settings.Config);
        _hostname = config.GetString("hostname", "127.0.0.1");
        _port = config.GetInt("port", 0);
        _bufferBytes = (int)Math.Min(int.MaxValue, config.GetByteSize("socket-buffer-size") ?? 16 * 1024 * 1024);
        _log = Logging.GetLogger(system, typeof(DirectTcpTransport));
    }

    internal long BacklogLimitBytes => BacklogLimitFrames * (MaximumPayloadBytes + sizeof(int));

    public override Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        if (!IPAddress.TryParse(_hostname, out var ip))
            throw new ConfigurationException($"{ConfigPath}.hostname must be an IP address to listen on (such as 127.0.0.1), got \"{_hostname}\".");
        var listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(ip, _port));
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        _localAddress = new Address(SchemeIdentifier, System.Name, _hostname, ((IPEndPoint)listener.LocalEndPoint!).Port);
        _ = AcceptAsync(listener);
        return Task.FromResult((_localAddress, _associations));
    }

    private async Task AcceptAsync(Socket listener)
    {
        var associations = await _associations.Task.ConfigureAwait(false);
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception) when (Volatile.Read(ref _shutDown))
            {
                return; // the listener is closed: the transport is shutting down
            }
            catch (Exception e)
            {
                // A failed accept (a connection aborted before it was taken, no file descriptor left) must not end
                // the loop either. A short pause keeps a lasting one (a full file table) from spinning.
                _log.Warning("Accepting a connection failed ({0}); accepting again", e.Message);
                await Task.Delay(AcceptRetryDelay).ConfigureAwait(false);
                continue;
            }
            // One link that cannot be set up (reset by its peer already, say) must not end the loop: no node could
            // connect after it.
            try
            {
                var remote = (IPEndPoint)socket.RemoteEndPoint!;
                var handle = new DirectTcpHandle(this, _localAddress!, new Address(SchemeIdentifier, System.Name, remote.Address.ToString(), remote.Port), socket);
                associations.Notify(new InboundAssociation(handle));
            }
            catch (Exception e)
            {
                _log.Warning("Dropped an inbound connection that could not be set up: {0}", e.Message);
                socket.Dispose();
            }
        }
    }

    public override bool IsResponsibleFor(Address remote) => true;

    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        if (_localAddress is null)
            throw new InvalidAssociationException("The direct transport is not listening yet.");
        if (remoteAddress.Host is not { } host || remoteAddress.Port is not { } port)
            throw new InvalidAssociationException($"{remoteAddress} has no host and port.");
        var addresses = IPAddress.TryParse(host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
        var socket = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(addresses, port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new InvalidAssociationException(e is SocketException
                ? $"Cannot connect to {remoteAddress}: {e.Message}"
                : $"Cannot connect to {remoteAddress}: no answer within {ConnectTimeout.TotalSeconds:0} s.", e);
        }
        try
        {
            return new DirectTcpHandle(this, _localAddress, remoteAddress, socket);
        }
        catch (Exception e)
        {
            socket.Dispose();
            throw new InvalidAssociationException($"Cannot set up the link to {remoteAddress}: {e.Message}", e);
        }
    }

    public override Task<bool> Shutdown()
    {
        Volatile.Write(ref _shutDown, true);
        _listener?.Dispose();
        foreach (var handle in _handles.Keys)
            handle.Close();
        return Task.FromResult(true);
    }

    internal int BufferBytes => _bufferBytes;

    internal ILoggingAdapter Log => _log;

    internal void Opened(DirectTcpHandle handle) => _handles[handle] = 0;

    internal void Closed(DirectTcpHandle handle) => _handles.TryRemove(handle, out _);
}
