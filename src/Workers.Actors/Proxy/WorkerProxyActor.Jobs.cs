using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;

namespace Workers.Actors.Proxy;

// The jobs on the node: sent one by one to an idle node, gathered into one message for a busy one, always ahead of any
// other message to the node (a cancel must find its job there), and ended in the order sent.
internal sealed partial class WorkerProxyActor
{
    /// <summary>Where the job is among those sent to the node and not ended; -1 if it is not.</summary>
    private int IndexOfHeld(string jobId)
    {
        for (var i = 0; i < _jobs.Count; i++)
        {
            if (_jobs[i].JobId == jobId)
                return i;
        }
        return -1;
    }

    private void EndRunningJob(object outcome)
    {
        Timers.Cancel(JobTimeoutKey.Instance);
        Context.Parent.Tell(outcome);
        _jobs.RemoveAt(0);
        // The node starts the next job it holds as soon as it sent this outcome.
        if (_jobs.Count > 0)
            StartTimeout(_jobs[0]);
        else
            Context.Become(_idle);
    }

    private void Send(IActorRef node, RunJob job)
    {
        TellNode(node, ToExecute(job));
        _jobs.Add(new SentJob(job.JobId, job.Timeout));
    }

    /// <summary>
    /// A job for a busy node: it leaves with the others the manager sends meanwhile, in one message (each remote message
    /// costs a serialization and an envelope on both sides). It waits for nothing but the messages already in this
    /// proxy's mailbox, and the node has jobs to run until then.
    /// </summary>
    private void SendAhead(RunJob job)
    {
        if (_unsent.Count == 0)
            Self.Tell(SendHeldJobs.Instance);
        _unsent.Add(ToExecute(job));
        _jobs.Add(new SentJob(job.JobId, job.Timeout));
    }

    /// <summary>
    /// Sends the jobs held back, in order: together, in as few messages as keep each within a quarter of what a frame
    /// carries (Akka.Remote drops a larger message, and every job in it would wait for ever).
    /// </summary>
    private void SendUnsent(IActorRef node)
    {
        if (_unsent.Count == 1)
            node.Tell(_unsent[0]);
        else
        {
            for (int start = 0, end; start < _unsent.Count; start = end)
            {
                end = WireLimits.BatchEnd(_unsent, start, _batchBytes, int.MaxValue, static (job, limit) => WireLimits.Size(job, limit));
                node.Tell(end - start == 1 ? _unsent[start] : new ExecuteJobs([.. CollectionsMarshal.AsSpan(_unsent)[start..end]]));
            }
        }
        _unsent.Clear();
    }

    /// <summary>Every message to the node goes after the jobs sent before it: a cancel must find its job there.</summary>
    private void TellNode(IActorRef node, object message, IActorRef? sender = null)
    {
        SendUnsent(node);
        node.Tell(message, sender ?? Self);
    }

    private ExecuteJob ToExecute(RunJob job) =>
        new(job.JobId, job.PluginId, job.ParametersJson, job.Stream, job.ConfigJson, _config.ResultQueueSize);

    /// <summary>A job's time limit counts from when the node starts it, not from when it was sent ahead.</summary>
    private void StartTimeout(SentJob job)
    {
        if (job.Timeout is { } timeout)
            Timers.StartSingleTimer(JobTimeoutKey.Instance, new JobTimedOut(job.JobId, timeout), timeout);
    }

    private sealed record SentJob(string JobId, TimeSpan? Timeout);

    private sealed class SendHeldJobs : IDeadLetterSuppression
    {
        public static readonly SendHeldJobs Instance = new();
    }
}
