using Akka.Actor;
using Workers.Actors;

namespace Workers.WorkerNode;

/// <summary>
/// Runs what a node holds, jobs and plugin commands, one at a time in the order they arrived, on one loop off the
/// actor's thread that takes the next as soon as the last has ended. Jobs sent ahead (see
/// <see cref="WorkerConfig.PipelineDepth"/>) thus run back to back, with no hand-off through the node's actor in
/// between (a task, a piped message, a state switch and an unstash per job were most of the node's CPU per short job).
/// </summary>
/// <remarks>
/// Thread-safe: the node's actor adds work and cancels held jobs while the loop runs. Outcomes go to the proxy through
/// the <see cref="NodeOutbox"/>, after the job's chunks and progress, with the node as their sender.
/// The loop ends when nothing is held and starts again with the next work added, so an idle node has no thread.
/// </remarks>
internal sealed class JobLoop
{
    private readonly object _gate = new();
    private readonly List<object> _held = []; // ExecuteJob or PluginCommand, in arrival order
    private readonly PluginHost _plugins;
    private readonly NodeOutbox _outbox;
    private readonly IActorRef _node;
    private readonly string _workerId;
    private readonly long _maxMessageBytes;
    private readonly CancellationToken _stopping;
    private bool _looping;
    private bool _warm; // a job, or the warm-up, has been through the steps around a plugin
    private JobRunner? _running;

    /// <param name="proxy">where outcomes, chunks and progress go: the slot's proxy that accepted the node</param>
    /// <param name="node">the node's actor, the sender of all that: the proxy takes a job's messages only from its current node</param>
    public JobLoop(PluginHost plugins, IActorRef proxy, IActorRef node, string workerId, long maxMessageBytes, CancellationToken stopping)
    {
        _plugins = plugins;
        _outbox = new NodeOutbox(proxy, node, WireLimits.PayloadBytes(maxMessageBytes) / 4);
        _node = node;
        _workerId = workerId;
        _maxMessageBytes = maxMessageBytes;
        _stopping = stopping;
    }

    /// <summary>The job running now, if any (chunk acknowledgements go to it).</summary>
    public JobRunner? Running
    {
        get
        {
            lock (_gate)
                return _running;
        }
    }

    /// <summary>Everything about jobs goes to the proxy through it, in order (see <see cref="NodeOutbox"/>).</summary>
    public NodeOutbox Outbox => _outbox;

    public void Add(ExecuteJob job) => Hold([job]);

    public void Add(IEnumerable<ExecuteJob> jobs) => Hold(jobs);

    public void Add(PluginCommand command) => Hold([command]);

    /// <summary>What <see cref="TryWarmUp"/> did.</summary>
    public enum WarmUpStart
    {
        /// <summary>The warm-up is on its way; work added meanwhile runs after it.</summary>
        Started,

        /// <summary>Something runs or waits (the configured plugins loading): nothing was done, ask again later.</summary>
        Busy,

        /// <summary>A job (or an earlier warm-up) has already been through it.</summary>
        NotNeeded,
    }

    /// <summary>
    /// Runs the steps every job takes around its plugin (reading its parameters, turning a result into JSON) once,
    /// while nothing else is held. The first use of System.Text.Json in a process sets up its converters and compiles
    /// them: about 25–40 ms on a fresh node that its first job would otherwise pay. A node does this as soon as it
    /// registers, so that a warm spare or a pool started ahead of its jobs serves its first job sooner; a job that comes
    /// meanwhile runs after it, having been spared the same set-up.
    /// </summary>
    public WarmUpStart TryWarmUp()
    {
        lock (_gate)
        {
            if (_warm)
                return WarmUpStart.NotNeeded;
            if (_looping)
                return WarmUpStart.Busy;
            _warm = true;
        }
        Hold([WarmUpWork.Instance]);
        return WarmUpStart.Started;
    }

    /// <summary>
    /// Drops the job if it is held and not started: true then. False if it has started (or ended, or never came):
    /// a started job is never touched here, only killing the process ends it.
    /// </summary>
    public bool TryDrop(string jobId)
    {
        lock (_gate)
        {
            var index = _held.FindIndex(work => work is ExecuteJob job && job.JobId == jobId);
            if (index < 0)
                return false;
            _held.RemoveAt(index);
            return true;
        }
    }

    private void Hold(IEnumerable<object> work)
    {
        lock (_gate)
        {
            _held.AddRange(work);
            if (_looping)
                return;
            _looping = true;
        }
        _ = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            object work;
            JobRunner? runner;
            lock (_gate)
            {
                if (_held.Count == 0 || _stopping.IsCancellationRequested)
                {
                    _looping = false;
                    _running = null;
                    return;
                }
                work = _held[0];
                _held.RemoveAt(0); // at most PipelineDepth items (512 by default): moving them is cheaper than a linked list's node per job
                runner = _running = work is ExecuteJob job ? new JobRunner(job, _outbox, _workerId, _maxMessageBytes) : null;
                if (runner is not null)
                    _warm = true;
            }
            if (runner is not null)
            {
                var outcome = WithMemory(await runner.RunAsync(_plugins, _stopping).ConfigureAwait(false));
                bool last;
                lock (_gate)
                    last = _held.Count == 0;
                _outbox.SendOutcome(outcome, nothingFollows: last);
            }
            else if (work is WarmUpWork)
            {
                JobRunner.WarmUp();
                StartupTrace.After("job path warmed up");
            }
            else
                await RunAsync((PluginCommand)work).ConfigureAwait(false);
        }
    }

    /// <summary>With the memory right after the job, so that the manager can recycle a node that grew past its limit.</summary>
    private static IWorkerWireMessage WithMemory(IWorkerWireMessage outcome) => outcome switch
    {
        NodeJobSucceeded done => done with { MemoryBytes = NodeMemory.RecentWorkingSetBytes() },
        NodeJobFailed failed => failed with { MemoryBytes = NodeMemory.RecentWorkingSetBytes() },
        _ => outcome,
    };

    private async Task RunAsync(PluginCommand command)
    {
        NodePluginCommandReply reply;
        try
        {
            await command.Run(_plugins, _stopping).ConfigureAwait(false);
            reply = new NodePluginCommandReply(command.CorrelationId, command.PluginName, true, null);
        }
        catch (Exception e)
        {
            reply = new NodePluginCommandReply(command.CorrelationId, command.PluginName, false, e.GetBaseException().Message);
        }
        command.ReplyTo.Tell(reply, _node);
    }
}

/// <summary>The work item of <see cref="JobLoop.TryWarmUp"/>.</summary>
internal sealed class WarmUpWork
{
    public static readonly WarmUpWork Instance = new();
}

/// <summary>A plugin reload or unload, run in turn with the jobs; its reply goes to <paramref name="ReplyTo"/>.</summary>
internal sealed record PluginCommand(long CorrelationId, string PluginName, Func<PluginHost, CancellationToken, Task> Run, IActorRef ReplyTo);
