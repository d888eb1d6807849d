using System.Diagnostics;
using Akka.Actor;
using Workers.Actors;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Workloads;

/// <summary>
/// W2: sequential echo jobs, each submitted by a subscriber actor the moment it hears the previous one's
/// <see cref="JobCompleted"/>; the round trip is measured in that actor, from just before the submit to the arrival
/// of the event. It also splits each round trip at <see cref="JobStarted"/> (published when the manager hands the
/// job to its slot), to tell the manager's share from the proxy-wire-node-wire-proxy-manager share.
/// </summary>
internal sealed class Latency(BenchOptions options) : IWorkload
{
    private const string Workload = "W2 latency";
    private readonly int _jobs = options.LatencyJobs;

    public string Name => Workload;

    public Metric P50 { get; } = new(Workload, "submit → JobCompleted, p50 (ms)", Unit.Milliseconds, Baseline.P50, Target.AtMost(0.1, "≤ 0.1 ms"));
    public Metric P99 { get; } = new(Workload, "submit → JobCompleted, p99 (ms)", Unit.Milliseconds, Baseline.P99, Target.AtMost(1, "≤ 1 ms"));
    public Metric ManagerP50 { get; } = new(Workload, "of which submit → JobStarted (manager), p50 (ms)", Unit.Milliseconds, Baseline.P50);
    public Metric NodeP50 { get; } = new(Workload, "of which JobStarted → JobCompleted (proxy, wire, node), p50 (ms)", Unit.Milliseconds, Baseline.P50);

    public IReadOnlyList<Metric> Metrics => [P50, P99, ManagerP50, NodeP50];

    public async Task RunAsync(BenchContext context)
    {
        var cancellation = context.Cancellation;
        await using var session = await context.StartManagerAsync("latency", new WorkerConfig { MaxWorkers = 1 });
        await session.WarmUpAsync(context.Options.WarmUpJobs, cancellation);
        // The burst above warms the batched path; one job at a time takes other code (a lone ExecuteJob and outcome),
        // which must reach its final tier too before it is measured: rounds of it, as for the burst, until one compiles
        // almost nothing new.
        await session.WarmUpInRoundsAsync(async round =>
        {
            var warmUp = await SequentialRun.StartAsync(session, context.Options.WarmUpJobs, $"warm-up-{round}", cancellation);
            await warmUp.RunAsync(cancellation);
        }, cancellation);
        // The client actor is created and subscribed before the last wait for quiet: the first methods compiled for it
        // would otherwise restart the JIT's 100 ms quiet spell, and the job path's pending recompilations would then
        // run in the middle of the measurement (seen as clusters of 2–8 ms round trips about 100 ms into it).
        var measured = await SequentialRun.StartAsync(session, _jobs, "measured", cancellation);
        await session.SettleAsync(cancellation);
        var trips = await measured.RunAsync(cancellation);

        double[] total = [.. trips.Select(trip => Stats.Milliseconds(trip.Submitted, trip.Completed))];
        context.Record(P50, Stats.Percentile(total, 50));
        context.Record(P99, Stats.Percentile(total, 99));
        context.Record(ManagerP50, Stats.Percentile([.. trips.Select(trip => Stats.Milliseconds(trip.Submitted, trip.Started))], 50));
        context.Record(NodeP50, Stats.Percentile([.. trips.Select(trip => Stats.Milliseconds(trip.Started, trip.Completed))], 50));
    }

    /// <summary>A <see cref="SequentialClient"/> subscribed to the manager's events, ready to submit its jobs.</summary>
    private sealed class SequentialRun(ManagerSession session, IActorRef client, TaskCompletionSource<RoundTrip[]> done, int jobs, string name)
    {
        public static async Task<SequentialRun> StartAsync(ManagerSession session, int jobs, string name, CancellationToken cancellation)
        {
            var done = new TaskCompletionSource<RoundTrip[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            var client = session.System.ActorOf(Props.Create(() => new SequentialClient(session.Manager, jobs, done)), $"sequential-client-{name}");
            await client.Ask<SubscribedToJobEvents>(SequentialClient.Subscribe.Instance, TimeSpan.FromSeconds(10), cancellation);
            return new SequentialRun(session, client, done, jobs, name);
        }

        public async Task<RoundTrip[]> RunAsync(CancellationToken cancellation)
        {
            client.Tell(SequentialClient.Begin.Instance);
            var trips = await session.WithinStepAsync(done.Task, $"{jobs:N0} sequential echo jobs ({name})", cancellation);
            session.System.Stop(client);
            return trips;
        }
    }

    private readonly record struct RoundTrip(long Submitted, long Started, long Completed);

    /// <summary>Submits one echo job at a time, the next as soon as the previous one's JobCompleted arrives.</summary>
    private sealed class SequentialClient : ReceiveActor
    {
        private readonly IActorRef _manager;
        private readonly TaskCompletionSource<RoundTrip[]> _done;
        private readonly RoundTrip[] _trips;
        private int _index = -1;
        private string? _jobId;

        public SequentialClient(IActorRef manager, int jobs, TaskCompletionSource<RoundTrip[]> done)
        {
            _manager = manager;
            _done = done;
            _trips = new RoundTrip[jobs];
            Receive<Subscribe>(_ => _manager.Forward(new SubscribeToJobEvents(Self)));
            Receive<Begin>(_ => SubmitNext());
            Receive<JobAccepted>(accepted => _jobId = accepted.Job.Id);
            Receive<JobRejected>(rejected => _done.TrySetException(new InvalidOperationException($"The manager rejected a job: {rejected.Reason}")));
            Receive<JobStarted>(started => started.JobId == _jobId, _ => _trips[_index] = _trips[_index] with { Started = Stopwatch.GetTimestamp() });
            Receive<JobCompleted>(completed => completed.JobId == _jobId, _ =>
            {
                _trips[_index] = _trips[_index] with { Completed = Stopwatch.GetTimestamp() };
                SubmitNext();
            });
            ReceiveAny(_ => { });
        }

        private void SubmitNext()
        {
            if (++_index == _trips.Length)
            {
                _done.TrySetResult(_trips);
                return;
            }
            _trips[_index] = new RoundTrip(Stopwatch.GetTimestamp(), 0, 0);
            _manager.Tell(new StartJob("echo", ManagerSession.EchoParameters));
        }

        public sealed class Subscribe
        {
            public static readonly Subscribe Instance = new();
        }

        public sealed class Begin
        {
            public static readonly Begin Instance = new();
        }
    }
}
