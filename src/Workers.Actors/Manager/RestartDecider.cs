using Akka.Actor;

namespace Workers.Actors.Manager;

/// <summary>
/// The restart policies as supervision decisions: what happens to a slot's proxy (and so its node) after the proxy
/// reported its node gone. Restart starts a fresh node at once; Stop leaves the slot empty, to be started when a job
/// needs it — or, under Backoff, by the manager after the backoff delay.
/// </summary>
internal static class RestartDecider
{
    public static Directive Decide(RestartPolicy policy, Exception cause) => cause switch
    {
        // Replaced on purpose between jobs: the slot gets its fresh node whatever the policy.
        WorkerRecycledException => Directive.Restart,
        WorkerCancelledException => policy switch
        {
            // Never: nothing restarts eagerly, not even after a cancel; the next job starts a node.
            RestartPolicy.Never => Directive.Stop,
            // A cancellation is the user's doing, not a fault: the other policies bring the slot straight back.
            _ => Directive.Restart,
        },
        WorkerException => policy switch
        {
            // Always: a crash, hang or failed start is restarted at once (within the failure budget).
            RestartPolicy.Always => Directive.Restart,
            // Backoff: stopped now; the manager starts the slot again after min(base · 2^n, max).
            RestartPolicy.Backoff => Directive.Stop,
            // Never and OnCancellation: not restarted eagerly; the next job that needs the slot starts a node.
            _ => Directive.Stop,
        },
        // A bug in the proxy itself: a fresh proxy (and node) is the only state we can trust.
        _ => Directive.Restart,
    };

    /// <summary>Whether the fault counts against <see cref="WorkerConfig.MaxRestartAttempts"/>: cancellations and recycling never do.</summary>
    public static bool IsFailure(Exception cause) => cause is not (WorkerCancelledException or WorkerRecycledException);

    /// <summary>
    /// The Backoff delay before the next start after <paramref name="consecutiveFailures"/> failures in a row:
    /// base, 2·base, 4·base … capped at <paramref name="max"/>.
    /// </summary>
    public static TimeSpan BackoffDelay(TimeSpan @base, TimeSpan max, int consecutiveFailures)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var ticks = @base.Ticks * Math.Pow(2, exponent);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
