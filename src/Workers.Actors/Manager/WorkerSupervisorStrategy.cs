using Akka.Actor;
using Akka.Actor.Internal;

namespace Workers.Actors.Manager;

/// <summary>
/// One-for-one supervision of the worker proxies with the restart policy as decider, which also tells the
/// manager which proxy failed and why before the directive is applied, so the job it was running is settled
/// first. Retries are unlimited here because the manager keeps its own per-slot budget, and the strategy does not
/// log: the manager logs each fault once, with the slot and the reason.
/// </summary>
/// <remarks>
/// <c>onFailure</c> runs on the manager's thread (supervision is part of the manager's own message processing) and
/// may turn a Restart into a Stop: a slot past its failure budget must not start one more node.
/// </remarks>
internal sealed class WorkerSupervisorStrategy(RestartPolicy policy, Func<IActorRef, Exception, Directive, Directive> onFailure)
    : OneForOneStrategy(-1, -1, cause => RestartDecider.Decide(policy, Unwrap(cause)), loggingEnabled: false)
{
    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
    {
        var directive = onFailure(child, Unwrap(cause), restart ? Directive.Restart : Directive.Stop);
        base.ProcessFailure(context, directive == Directive.Restart, child, cause, stats, children);
    }

    // A throw from PreStart arrives wrapped; the policy is about what the proxy meant.
    private static Exception Unwrap(Exception cause) =>
        cause is ActorInitializationException { InnerException: { } inner } ? inner : cause;
}
