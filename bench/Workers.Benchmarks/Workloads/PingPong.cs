using System.Diagnostics;
using Akka.Actor;
using Workers.Benchmarks.Harness;
using Workers.Benchmarks.Transport;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// The transport's own limit, measured in the same run: raw Akka.Remote between this process and a second one (the
/// benchmark's executable with <c>--pong</c>), on the same settings and serializer as a manager and its nodes.
/// Sequential pings give the round-trip latency; a window of pings in flight gives the most round trips per second.
/// Over Workers' direct transport (<paramref name="direct"/>), which the jobs of nodes a manager starts travel on,
/// it is the baseline: the other rows are divided by its figures in the table's "ratio to transport" column. Over
/// DotNetty, the transport of nodes on other hosts, it is there to compare.
/// </summary>
internal sealed class PingPong(BenchOptions options, bool direct) : IWorkload
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _workload = direct ? "Akka.Remote ping-pong, direct transport" : "Akka.Remote ping-pong, DotNetty";

    public string Name => _workload;

    public Metric P50 => field ??= new(_workload, $"round trip, {options.PingLatencyCount:N0} sequential pings, p50 (ms)", Unit.Milliseconds, Baseline.P50);
    public Metric P99 => field ??= new(_workload, $"round trip, {options.PingLatencyCount:N0} sequential pings, p99 (ms)", Unit.Milliseconds, Baseline.P99);
    public Metric SequentialPerSecond => field ??= new(_workload, "pings answered/s, 1 in flight (sequential)", Unit.PerSecond);
    public Metric RoundTripsPerSecond => field ??= new(_workload, $"pings answered/s, {options.PingWindow:N0} in flight", Unit.PerSecond, Baseline.Throughput);
    public Metric Startup => field ??= new(_workload, "peer process start → Akka.Remote listening (ms)", Unit.Milliseconds, Baseline.Startup);

    public IReadOnlyList<Metric> Metrics => [P50, P99, SequentialPerSecond, RoundTripsPerSecond, Startup];

    public async Task RunAsync(BenchContext context)
    {
        var options = context.Options;
        await using var peer = await PongProcess.StartAsync(direct, context.Reaper, context.Cancellation);
        context.Record(Startup, peer.Startup.TotalMilliseconds);
        var system = BenchSystems.Create("ping", TransportConfig.Pinger);
        try
        {
            // By path, as a manager reaches a node through the ref in its registration: the pong process runs on a node's
            // configuration, whose untrusted mode answers no actor selection (hocon/worker-node.hocon).
            var pong = ((ExtendedActorSystem)system).Provider.ResolveActorRef(peer.ActorPath);
            // Akka.Remote's and Hyperion's code reaches its final JIT tier only after many messages.
            await PingAsync(system, pong, options.PingThroughputCount, window: 100, context.Cancellation);

            var sequential = await PingAsync(system, pong, options.PingLatencyCount, window: 1, context.Cancellation);
            context.Record(P50, Stats.Percentile(sequential.RoundTrips, 50));
            context.Record(P99, Stats.Percentile(sequential.RoundTrips, 99));
            context.Record(SequentialPerSecond, options.PingLatencyCount / sequential.Elapsed.TotalSeconds);

            var windowed = await PingAsync(system, pong, options.PingThroughputCount, options.PingWindow, context.Cancellation);
            context.Record(RoundTripsPerSecond, options.PingThroughputCount / windowed.Elapsed.TotalSeconds);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task<PingResult> PingAsync(ActorSystem system, IActorRef pong, int count, int window, CancellationToken cancellation)
    {
        var done = new TaskCompletionSource<PingResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pinger = system.ActorOf(Props.Create(() => new Pinger(pong, count, window, done)));
        try
        {
            return await done.Task.WaitAsync(Timeout, cancellation);
        }
        finally
        {
            system.Stop(pinger);
        }
    }

    private sealed record PingResult(double[] RoundTrips, TimeSpan Elapsed);

    /// <summary>Keeps <c>window</c> pings in flight until <c>count</c> are answered; the round trip of each, in ms.</summary>
    private sealed class Pinger : ReceiveActor
    {
        private readonly IActorRef _pong;
        private readonly int _count;
        private readonly int _window;
        private readonly TaskCompletionSource<PingResult> _done;
        private readonly long[] _sentAt;
        private readonly double[] _roundTrips;
        private long _start;
        private int _sent;
        private int _answered;

        public Pinger(IActorRef pong, int count, int window, TaskCompletionSource<PingResult> done)
        {
            _pong = pong;
            _count = count;
            _window = window;
            _done = done;
            _sentAt = new long[count];
            _roundTrips = new double[count];
            Receive<Pong>(Handle);
        }

        protected override void PreStart()
        {
            _start = Stopwatch.GetTimestamp();
            while (_sent < Math.Min(_window, _count))
                SendNext();
        }

        private void Handle(Pong pong)
        {
            var now = Stopwatch.GetTimestamp();
            _roundTrips[pong.Id] = Stats.Milliseconds(_sentAt[pong.Id], now);
            if (++_answered == _count)
                _done.TrySetResult(new PingResult(_roundTrips, Stopwatch.GetElapsedTime(_start, now)));
            else if (_sent < _count)
                SendNext();
        }

        private void SendNext()
        {
            _sentAt[_sent] = Stopwatch.GetTimestamp();
            _pong.Tell(new Ping(_sent++));
        }
    }
}
