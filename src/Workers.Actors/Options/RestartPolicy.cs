namespace Workers.Actors;

/// <summary>What happens to a worker slot after its node is killed or dies. See the README's policy table.</summary>
public enum RestartPolicy
{
    /// <summary>Never restarted eagerly; the slot starts a new node when a job needs it.</summary>
    Never,

    /// <summary>Restarted at once after a cancellation; after a crash, started again on demand (default).</summary>
    OnCancellation,

    /// <summary>Restarted at once after a cancellation, crash, hang or failed start.</summary>
    Always,

    /// <summary>Restarted at once after a cancellation; after a failure, after min(base · 2^n, max).</summary>
    Backoff,
}
