using Akka;
using Akka.Actor;
using Akka.Event;

namespace Workers.Actors.Proxy;

// How a node goes: killed to cancel its job or for a timeout (reported only once its process is gone), or asked to
// exit for a shutdown or a recycle, and killed if it does not within its time.
internal sealed partial class WorkerProxyActor
{
    // Kept out of Busy: a lambda there capturing its locals would cost an allocation for every message.
    private void KillForTimeout(JobTimedOut timedOut)
    {
        _log.Warning("Worker [{0}] killing pid [{1}]: job [{2}] timed out after [{3}]", _workerId, Pid, timedOut.JobId, timedOut.After);
        KillAndAwaitExit(_ => new WorkerUnresponsiveException(_workerId, Pid, timedOut.JobId, $"job timed out after {timedOut.After:c}"));
    }

    private void KillToCancel(string jobId)
    {
        _log.Info("Worker [{0}] killing pid [{1}] to cancel job [{2}]", _workerId, Pid, jobId);
        KillAndAwaitExit(_ => new WorkerCancelledException(_workerId, Pid, jobId));
    }

    /// <summary>
    /// Kills the node and waits for its process to be gone before reporting, so that "cancelled" or "timed out"
    /// means the job's process no longer runs. Whatever the node still sends meanwhile is dropped: a late result can
    /// never change the job's outcome.
    /// </summary>
    private void KillAndAwaitExit(Func<int, WorkerException> outcome)
    {
        _node?.Kill();
        Timers.Cancel(WatchdogKey.Instance);
        Context.Become(message =>
        {
            switch (message)
            {
                case NodeExited exited when IsCurrentNode(exited):
                    throw outcome(exited.Code);
                case StopNode:
                    BeginStop(node: null, then: null);
                    return true;
                default:
                    return true;
            }
        });
    }

    /// <summary>
    /// Asks the node to exit and gives it <see cref="WorkerConfig.ShutdownTimeout"/> before killing it. Then either
    /// stops (shutdown: the sender hears <see cref="Done"/>) or, for a recycle, throws so the slot gets a fresh node.
    /// </summary>
    private void BeginStop(IActorRef? node, string? then)
    {
        var replyTo = Sender;
        Timers.CancelAll();
        if (_node is null)
        {
            replyTo.Tell(Done.Instance);
            Context.Stop(Self);
            return;
        }
        if (node is null)
            _node.Kill();
        else
            TellNode(node, StopWorkerNode.Instance);
        Timers.StartSingleTimer(StopTimeoutKey.Instance, StopTimedOut.Instance, _config.ShutdownTimeout);
        Context.Become(message =>
        {
            switch (message)
            {
                case NodeExited exited when IsCurrentNode(exited):
                    if (then is not null)
                        throw new WorkerRecycledException(_workerId, Pid, then);
                    replyTo.Tell(Done.Instance);
                    Context.Stop(Self);
                    return true;
                case StopTimedOut:
                    _log.Warning("Worker [{0}] pid [{1}] did not exit within [{2}]; killing it", _workerId, Pid, _config.ShutdownTimeout);
                    _node.Kill();
                    return true;
                default:
                    return true;
            }
        });
    }

    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(1);

    private bool IsCurrentNode(NodeExited exited) => exited.Pid == Pid;

    // Carries the pid so that the exit of a node from an earlier incarnation is not taken for the current one's.
    private sealed record NodeExited(int Pid, int Code);

    private sealed class ExitGraceOver : IDeadLetterSuppression
    {
        public static readonly ExitGraceOver Instance = new();
    }
}
