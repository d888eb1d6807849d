using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Transport;

/// <summary>
/// Workers' direct transport between a manager's ActorSystem (hocon/manager.hocon: DotNetty and the direct transport)
/// and a node's (the direct transport only, as a node its manager started gets it): messages of every size arrive
/// whole and in order, a frame over the limit closes only its own link, and a system that goes away is noticed.
/// </summary>
public sealed class DirectTcpTransportSpecs : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly ActorSystem _node;
    private readonly IActorRef _echo;

    public DirectTcpTransportSpecs(ITestOutputHelper output) : base(WorkersConfiguration.Manager, "direct-manager", output)
    {
        _node = ActorSystem.Create("direct-node", ConfigurationFactory.ParseString($"akka.remote.enabled-transports = [\"{DirectTcpTransport.ConfigPath}\"]")
            .WithFallback(WorkersConfiguration.WorkerNode));
        _node.ActorOf(Props.Create(() => new Echo()), "echo");
        var nodeAddress = DirectAddressOf(_node);
        _echo = ((ExtendedActorSystem)Sys).Provider.ResolveActorRef(new RootActorPath(nodeAddress) / "user" / "echo");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _node.Terminate().Wait(Wait);
        base.Dispose(disposing);
    }

    private static Address DirectAddressOf(ActorSystem system) =>
        ((IRemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport.Addresses.Single(address => address.Protocol == DirectTcpTransport.Protocol);

    [Fact]
    public void Should_give_a_manager_a_direct_address_on_loopback_beside_its_default_one()
    {
        var direct = DirectAddressOf(Sys);

        Assert.Equal(("akka.direct", "127.0.0.1"), (direct.Protocol, direct.Host));
        Assert.NotEqual(0, direct.Port);
        Assert.Equal("akka.tcp", ((ExtendedActorSystem)Sys).Provider.DefaultAddress.Protocol); // the application's address is unchanged
        Assert.Equal(DirectTcpTransport.Protocol, ((ExtendedActorSystem)_node).Provider.DefaultAddress.Protocol);
    }

    [Fact]
    public async Task Should_carry_messages_both_ways_in_order()
    {
        for (var i = 0; i < 1_000; i++)
            _echo.Tell($"message {i}", TestActor);

        for (var i = 0; i < 1_000; i++)
            Assert.Equal($"message {i}", await ExpectMsgAsync<string>(Wait));
    }

    [Fact]
    public async Task Should_carry_large_frames_whole_and_in_order()
    {
        // 2 MB frames, 40 at once, both ways: the readers grow their buffers, the writers' backlogs take what the
        // sockets cannot.
        const int size = 2 * 1024 * 1024;
        for (var i = 0; i < 40; i++)
            _echo.Tell(Filled(size, (byte)i), TestActor);

        for (var i = 0; i < 40; i++)
        {
            var back = await ExpectMsgAsync<byte[]>(Wait);
            Assert.Equal(size, back.Length);
            Assert.True(back.AsSpan().IndexOfAnyExcept((byte)i) < 0, $"frame {i} came back altered");
        }
    }

    [Fact]
    public async Task Should_keep_in_order_what_a_slow_reader_cannot_take_and_say_busy_past_its_backlog_limit()
    {
        // A peer that reads nothing for now: the transport's writes must neither block nor lose a frame.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var transport = new DirectTcpTransport(Sys, Sys.Settings.Config.GetConfig(DirectTcpTransport.ConfigPath));
        _ = await transport.Listen();
        try
        {
            var handle = await transport.Associate(new Address(DirectTcpTransport.Scheme, "peer", "127.0.0.1", ((IPEndPoint)listener.LocalEndPoint!).Port));
            handle.ReadHandlerSource.SetResult(new IgnoreEvents());
            using var peer = await listener.AcceptAsync();

            const int size = 2 * 1024 * 1024;
            // Bounded, so that a transport that never says "busy" fails here instead of filling the memory.
            const int most = 1_000;
            var written = 0;
            while (written < most && handle.Write(Google.Protobuf.ByteString.CopyFrom(Filled(size, (byte)written))))
                written++;

            // The kernel's buffers (a few MB) and the backlog (four largest frames) are full; Akka.Remote retries later.
            Assert.InRange(written, 8, most - 1);
            using var stream = new NetworkStream(peer);
            var header = new byte[4];
            var frame = new byte[size];
            for (var i = 0; i < written; i++)
            {
                await stream.ReadExactlyAsync(header).AsTask().WaitAsync(Wait);
                Assert.Equal(size, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header));
                await stream.ReadExactlyAsync(frame).AsTask().WaitAsync(Wait);
                Assert.True(frame.AsSpan().IndexOfAnyExcept((byte)i) < 0, $"frame {i} arrived altered or out of order");
            }
            Assert.True(handle.Write(Google.Protobuf.ByteString.CopyFromUtf8("after")), "still busy once the backlog was sent");
            await stream.ReadExactlyAsync(header).AsTask().WaitAsync(Wait);
            Assert.Equal(5, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header));
        }
        finally
        {
            await transport.Shutdown();
        }
    }

    [Fact]
    public async Task Should_close_a_link_that_announces_a_frame_over_the_limit_and_go_on_serving_the_others()
    {
        var node = DirectAddressOf(_node);
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stranger.ConnectAsync(IPAddress.Loopback, node.Port!.Value);

        await stranger.SendAsync(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF }); // 2 GB to come

        var read = await stranger.ReceiveAsync(new byte[16].AsMemory()).AsTask().WaitAsync(Wait);
        Assert.Equal(0, read); // the node closed it
        _echo.Tell("still there?", TestActor);
        Assert.Equal("still there?", await ExpectMsgAsync<string>(Wait));
    }

    [Fact]
    public async Task Should_let_a_watcher_know_when_the_other_system_is_gone()
    {
        _echo.Tell("hello", TestActor);
        await ExpectMsgAsync<string>(Wait);
        await WatchAsync(_echo);

        await _node.Terminate();

        await ExpectTerminatedAsync(_echo, Wait);
    }

    private static byte[] Filled(int size, byte value)
    {
        var bytes = new byte[size];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    private sealed class IgnoreEvents : Akka.Remote.Transport.IHandleEventListener
    {
        public void Notify(Akka.Remote.Transport.IHandleEvent ev)
        {
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }
}
