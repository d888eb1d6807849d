using System.Runtime.InteropServices;
using Akka.Actor;
using Workers.Actors;

namespace Workers.WorkerNode;

/// <summary>
/// Everything a registered node sends to its proxy about jobs, in one order: chunks, progress, outcomes and the answers
/// to <see cref="CancelQueuedJob"/>. Outcomes of jobs that end in quick succession travel together, in one
/// <see cref="NodeJobsEnded"/>: each remote message costs a serialization and a transport envelope on both sides,
/// which was a large part of the CPU per short job.
/// </summary>
/// <remarks>
/// No outcome waits for a job or a timer: an outcome is sent by a work item queued on the thread pool at once, which
/// takes every outcome that has ended by the time it runs. Only outcomes that end while that hand-off is under way
/// join the batch; one alone goes as itself. The outcome of the last job held goes at once, with any still waiting.
/// Any other message first sends the outcomes still waiting, so the proxy always hears a job's end before anything
/// that follows it (the next job's chunks, a cancel's answer).
/// Thread-safe: the job loop, a plugin's own threads (progress) and the node's actor send through it.
/// </remarks>
internal sealed class NodeOutbox
{
    /// <summary>Outcomes in one message at most; more go in the next (their bytes are limited too, see the constructor).</summary>
    internal const int MaxBatch = 256;

    private readonly object _gate = new();
    private readonly IActorRef _proxy;
    private readonly IActorRef _node;
    private readonly long _batchBytes;
    private readonly List<IWorkerWireMessage> _outcomes = [];
    private bool _flushQueued;

    /// <param name="node">the sender of everything sent: the proxy takes a job's messages only from its current node</param>
    /// <param name="batchBytes">
    /// the most the outcomes in one message may take (each result fits a frame alone, see <see cref="JobRunner"/>; several
    /// together might not, and Akka.Remote would drop them all)
    /// </param>
    public NodeOutbox(IActorRef proxy, IActorRef node, long batchBytes = long.MaxValue)
    {
        _proxy = proxy;
        _node = node;
        _batchBytes = batchBytes;
    }

    /// <summary>
    /// A job's outcome (<see cref="NodeJobSucceeded"/> or <see cref="NodeJobFailed"/>): sent soon, perhaps with others;
    /// at once, from the caller's thread, when <paramref name="nothingFollows"/> (no job is held behind it, so no other
    /// outcome could join it: the hand-off to the thread pool would only add its wake-up to the job's round trip).
    /// </summary>
    public void SendOutcome(IWorkerWireMessage outcome, bool nothingFollows = false)
    {
        lock (_gate)
        {
            _outcomes.Add(outcome);
            if (nothingFollows)
            {
                SendOutcomes();
                return;
            }
            if (_flushQueued)
                return;
            _flushQueued = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static outbox => outbox.FlushQueued(), this, preferLocal: false);
    }

    /// <summary>Sends the message now, after the outcomes still waiting.</summary>
    public void Send(IWorkerWireMessage message)
    {
        lock (_gate)
        {
            SendOutcomes();
            _proxy.Tell(message, _node);
        }
    }

    private void FlushQueued()
    {
        lock (_gate)
        {
            _flushQueued = false;
            SendOutcomes();
        }
    }

    // Under _gate: the order of Tells is the order the proxy hears them in.
    private void SendOutcomes()
    {
        if (_outcomes.Count == 0)
            return;
        if (_outcomes.Count == 1)
            _proxy.Tell(_outcomes[0], _node);
        else
        {
            for (int start = 0, end; start < _outcomes.Count; start = end)
            {
                end = WireLimits.BatchEnd(_outcomes, start, _batchBytes, MaxBatch, static (outcome, limit) => WireLimits.Size(outcome, limit));
                _proxy.Tell(end - start == 1 ? _outcomes[start] : new NodeJobsEnded([.. CollectionsMarshal.AsSpan(_outcomes)[start..end]]), _node);
            }
        }
        _outcomes.Clear();
    }
}
