using Akka.Actor;

namespace Workers.Actors.Manager;

/// <summary>
/// The restart policy as a supervision decision: what happens to a slot's proxy (and so its node) after the
/// proxy reported its node gone. Restart starts a fresh node now; Stop leaves the slot empty until a job needs it.
/// </summary>
internal static class RestartDecider
{
    public static Directive Decide(RestartPolicy policy, Exception cause) => cause switch
    {
        // A cancellation is the user's doing, not a fault: every policy but Never brings the slot straight back.
        WorkerCancelledException => policy == RestartPolicy.Never ? Directive.Stop : Directive.Restart,

        // A crash, hang or failed start: only the eager policies restart at once; the others start on demand.
        WorkerException => policy is RestartPolicy.Always or RestartPolicy.Backoff ? Directive.Restart : Directive.Stop,

        // A bug in the proxy itself: a fresh proxy (and node) is the only state we can trust.
        _ => Directive.Restart,
    };
}
