using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime;
using System.Text.Json;
using Akka.Actor;
using Workers.Actors;

namespace Workers.Benchmarks.Harness;

/// <summary>
/// A fresh manager on its own ActorSystem, with the <see cref="Tap"/> subscribed to all its jobs and workers.
/// Disposing it terminates the system (the manager stops its nodes) and waits until every node process is gone.
/// </summary>
internal sealed class ManagerSession : IAsyncDisposable
{
    private static readonly TimeSpan Reply = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan NodesGone = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QuietSpell = TimeSpan.FromMilliseconds(250);

    /// <summary>At most this many rounds of warm-up jobs, each followed by <see cref="SettleAsync"/>.</summary>
    private const int MaxWarmUpRounds = 5;

    /// <summary>A warm-up round that compiled fewer methods than this in this process leaves the job path at its final tier.</summary>
    private const int SettledMethods = 20;

    private readonly NodeReaper _reaper;
    private readonly ConcurrentDictionary<int, bool> _nodes = new();

    private ManagerSession(ActorSystem system, NodeReaper reaper, TimeSpan stepTimeout)
    {
        System = system;
        _reaper = reaper;
        StepTimeout = stepTimeout;
        Tap = new Tap(system, pid =>
        {
            _nodes.TryAdd(pid, true);
            reaper.Track(pid, "worker node");
        });
    }

    public ActorSystem System { get; }
    public IActorRef Manager { get; private set; } = ActorRefs.Nobody;
    public Tap Tap { get; }
    public TimeSpan StepTimeout { get; }

    /// <summary>The node processes seen so far (from WorkerStarted and JobStarted).</summary>
    public IReadOnlyCollection<int> NodePids => [.. _nodes.Keys];

    /// <summary>The echo job's parameters: a no-op job.</summary>
    public static JsonElement EchoParameters { get; } = JsonDocument.Parse("""{"text":"bench"}""").RootElement;

    public static async Task<ManagerSession> StartAsync(string workerType, WorkerConfig worker, BenchContext context, JobStoreOptions store)
    {
        var session = new ManagerSession(BenchSystems.CreateManagerSystem("bench"), context.Reaper, context.Options.StepTimeout);
        try
        {
            var options = new JobManagerOptions
            {
                WorkerType = workerType,
                PluginAssemblies = ["Workers.Plugins.Samples.dll"],
                Worker = worker,
                Store = store,
            };
            session.Manager = session.System.ActorOf(JobManagerActor.Props(options), JobManagerActor.ActorName(workerType));
            await session.Manager.Ask<SubscribedToJobEvents>(new SubscribeToJobEvents(session.Tap.Ref), Reply, context.Cancellation);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Submits a job as the tap (which hears the reply).</summary>
    public void Submit(string pluginId, JsonElement parameters, JobOptions? options = null) =>
        Manager.Tell(new StartJob(pluginId, parameters, options), Tap.Ref);

    public void SubmitEcho(string? jobId = null) =>
        Submit("echo", EchoParameters, jobId is null ? null : new JobOptions { JobId = jobId });

    /// <summary>
    /// Runs rounds of <paramref name="jobs"/> echo jobs at once until the job path is compiled to its final tier in
    /// both processes, so that a measurement sees the steady state of a long-lived application rather than the JIT.
    /// </summary>
    /// <remarks>
    /// Tiered compilation recompiles a hot method in the background, and only once it has been called 30 times after
    /// a quiet spell of 100 ms without new methods: a single burst of jobs leaves most of the job path queued for its
    /// final tier, which the measured run would then share its two cores with. Each round is followed by
    /// <see cref="SettleAsync"/>; the rounds stop when one compiles almost nothing new in this process.
    /// </remarks>
    public Task WarmUpAsync(int jobs, CancellationToken cancellationToken) =>
        WarmUpInRoundsAsync(async round =>
        {
            var done = Tap.Nth<JobCompleted>(jobs);
            for (var i = 0; i < jobs; i++)
                SubmitEcho();
            await WithinStepAsync(done, $"{jobs} warm-up echo jobs (round {round})", cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="round"/> (given its number), then <see cref="SettleAsync"/>, again until a round compiles
    /// almost nothing new in this process, at most <see cref="MaxWarmUpRounds"/> times (see <see cref="WarmUpAsync"/>).
    /// </summary>
    public async Task WarmUpInRoundsAsync(Func<int, Task> round, CancellationToken cancellationToken)
    {
        for (var number = 1; number <= MaxWarmUpRounds; number++)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            await round(number);
            await SettleAsync(cancellationToken);
            if (JitInfo.GetCompiledMethodCount() - compiled < SettledMethods)
                return;
        }
    }

    /// <summary>
    /// Waits until this process and the nodes are quiet over a <see cref="QuietSpell"/>: (almost) no method compiled
    /// here, and less than 30% of one core used by them all (an idle ActorSystem still ticks its scheduler; a process
    /// that compiles uses a whole core). Goes on after the step timeout if they never are.
    /// </summary>
    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StepTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            var meter = ResourceMeter.Start(NodePids);
            await Task.Delay(QuietSpell, cancellationToken);
            var used = meter.Elapsed();
            if (JitInfo.GetCompiledMethodCount() - compiled < 5 && used.ManagerCpu + used.NodesCpu < QuietSpell * 0.3)
                return;
        }
    }

    /// <summary>
    /// Waits until two slots have a registered, idle node: the one a job will take and a warm spare. After a crash, the
    /// default restart policy starts the crashed slot again only when a job needs it, and the manager keeps
    /// <c>WarmSpares</c> idle nodes beyond the running jobs. Whether it started the crashed slot anyway, as the spare
    /// while the queued job ran on the other node, depends on which came first: that job's end or the crashed proxy's
    /// stop. Since the direct transport the job sometimes wins, and the manager then rightly keeps one idle node and an
    /// empty slot. A job longer than <c>SpareRefillDelay</c> brings the spare back (it is started while the job runs),
    /// so that every measurement starts from two idle nodes.
    /// </summary>
    public async Task WaitForSlotAndSpareAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var workers = (await Manager.Ask<WorkersInfo>(GetWorkers.Instance, Reply, cancellationToken)).Workers;
            if (workers.Count(worker => worker.State == WorkerState.Idle) >= 2)
                return;
            if (OneIdleAndTheRestEmpty(workers))
            {
                if (attempt > 3)
                    throw new InvalidOperationException("The warm spare did not come back behind three jobs: "
                        + string.Join("; ", workers.Select(w => $"{w.WorkerId} {w.State}")));
                Console.Error.Write("(one idle node, the other slot empty: a 300 ms job brings the spare back) ");
                var jobId = $"spare-{Guid.NewGuid():N}";
                var done = Tap.Next<JobCompleted>(jobId);
                Submit("sleep", SpareBackParameters, new JobOptions { JobId = jobId });
                await WithinStepAsync(done, "the job that brings the spare back", cancellationToken);
            }
            await WaitForIdleWorkersAsync(2, cancellationToken, orOneIdleAndTheRestEmpty: true);
        }
    }

    private static readonly JsonElement SpareBackParameters = JsonDocument.Parse("""{"ms":300}""").RootElement;

    private static bool OneIdleAndTheRestEmpty(IReadOnlyList<WorkerSnapshot> workers) =>
        workers.Count(worker => worker.State == WorkerState.Idle) == 1
        && workers.All(worker => worker.State is WorkerState.Idle or WorkerState.NotStarted);

    /// <summary>Waits until at least <paramref name="count"/> slots have a registered, idle node.</summary>
    /// <param name="orOneIdleAndTheRestEmpty">also return when one node is idle and every other slot is empty</param>
    public async Task WaitForIdleWorkersAsync(int count, CancellationToken cancellationToken, bool orOneIdleAndTheRestEmpty = false)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StepTimeout);
        WorkersInfo? last = null;
        try
        {
            while (true)
            {
                last = await Manager.Ask<WorkersInfo>(GetWorkers.Instance, Reply, deadline.Token);
                var idle = last.Workers.Count(worker => worker.State == WorkerState.Idle);
                if (idle >= count)
                    return;
                if (orOneIdleAndTheRestEmpty && OneIdleAndTheRestEmpty(last.Workers))
                    return;
                await Task.Delay(TimeSpan.FromMilliseconds(5), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Where each slot was stuck, for whoever reads the failure.
            var slots = last is null
                ? "the manager never answered GetWorkers"
                : string.Join("; ", last.Workers.Select(w => $"{w.WorkerId} {w.State}, pid {w.Pid?.ToString() ?? "none"}, job {w.CurrentJobId ?? "none"}, restarts {w.Restarts}"));
            throw new TimeoutException($"{count} idle worker(s) were not ready within {StepTimeout.TotalSeconds:0} s ({slots}).");
        }
    }

    /// <summary>Awaits a step of a workload, bounded by the step timeout; the message says which step did not finish.</summary>
    public async Task<T> WithinStepAsync<T>(Task<T> step, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await step.WaitAsync(StepTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what}: not done within {StepTimeout.TotalSeconds:0} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Terminate runs CoordinatedShutdown, in which the manager asks its nodes to exit (and kills stragglers).
        var terminate = System.Terminate();
        var terminated = await Task.WhenAny(terminate, Task.Delay(TimeSpan.FromSeconds(30))) == terminate;
        var killed = await _reaper.WaitForExitAsync(_nodes.Keys.Concat(NodeReaper.RunningNodeChildren()), NodesGone);
        if (killed.Count > 0)
            throw new InvalidOperationException(
                $"Worker node processes outlived their manager by {NodesGone.TotalSeconds:0} s and were killed: {string.Join(", ", killed)}.");
        if (!terminated)
            throw new InvalidOperationException("The manager's ActorSystem did not terminate within 30 s.");
    }
}
