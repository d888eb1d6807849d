namespace Workers.Actors;

/// <summary>Where a manager journals its jobs so that they survive a restart of the host.</summary>
public enum JobStoreKind
{
    /// <summary>No journal: jobs live in memory only and are gone when the host stops.</summary>
    None,

    /// <summary>Akka's in-memory journal: the persistence code runs, nothing reaches a disk. For tests.</summary>
    InMemory,

    /// <summary>A SQLite file (the default); no server to install.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, for production and for managers that share one store.</summary>
    PostgreSql,
}

/// <summary>What happens, after a restart, to a job that was running when the manager stopped.</summary>
public enum RecoverRunningJobs
{
    /// <summary>
    /// The job is pending again and runs from the start (at-least-once, the default): the node that ran it died with
    /// the manager, so the work is lost either way, and most plugin work (transcribing, generating) can simply be
    /// done again.
    /// </summary>
    Requeue,

    /// <summary>The job fails with a reason; for plugins with side effects that must not happen twice.</summary>
    Fail,
}

/// <summary>The job store of one <see cref="JobManagerActor"/> (see the README's Durability section).</summary>
public sealed record JobStoreOptions
{
    /// <summary>The SQLite file used when nothing else is said: <c>data/workers.db</c> under the current directory.</summary>
    public const string DefaultSqlitePath = "data/workers.db";

    public JobStoreKind Kind { get; init; } = JobStoreKind.Sqlite;

    /// <summary>
    /// The ADO.NET connection string: for SQLite, default <c>Data Source=data/workers.db</c> (its folder is created);
    /// required for PostgreSQL (for example <c>Host=db;Database=workers;Username=workers;Password=…</c>).
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>Default <see cref="Actors.RecoverRunningJobs.Requeue"/>.</summary>
    public RecoverRunningJobs RecoverRunningJobs { get; init; } = RecoverRunningJobs.Requeue;

    /// <summary>
    /// The fewest journal events between two snapshots (default 10,000). A snapshot holds every job, so the manager
    /// also waits for twice as many events as it has jobs (a job's own two: accepted and ended): the cost of snapshots
    /// stays proportional to the work done, and a recovery replays at most about two events per job it holds.
    /// </summary>
    public int SnapshotEvery { get; init; } = 10_000;

    /// <summary>
    /// Finished jobs older than this (by completion time) are removed from the table and the store; null (default)
    /// keeps them until <see cref="ClearCompletedJobs"/>.
    /// </summary>
    public TimeSpan? FinishedJobRetention { get; init; }

    /// <summary>No journal: jobs are lost when the host stops.</summary>
    public static JobStoreOptions None { get; } = new() { Kind = JobStoreKind.None };

    /// <summary>The in-memory journal of the ActorSystem (tests).</summary>
    public static JobStoreOptions InMemory { get; } = new() { Kind = JobStoreKind.InMemory };

    /// <summary>A SQLite file at <paramref name="path"/>.</summary>
    public static JobStoreOptions Sqlite(string path = DefaultSqlitePath) =>
        new() { Kind = JobStoreKind.Sqlite, ConnectionString = $"Data Source={path}" };

    /// <summary>A PostgreSQL database; the tables are created on first use.</summary>
    public static JobStoreOptions PostgreSql(string connectionString) =>
        new() { Kind = JobStoreKind.PostgreSql, ConnectionString = connectionString };

    internal bool IsDurable => Kind is not JobStoreKind.None;

    internal void Validate()
    {
        if (Kind == JobStoreKind.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
            throw new ArgumentException("Store: PostgreSQL needs a ConnectionString (Host=…;Database=…;Username=…;Password=…).", nameof(ConnectionString));
        if (SnapshotEvery < 1)
            throw new ArgumentOutOfRangeException(nameof(SnapshotEvery), SnapshotEvery, "Store: SnapshotEvery must be at least 1.");
        if (FinishedJobRetention is { } retention && retention <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(FinishedJobRetention), retention, "Store: FinishedJobRetention must be positive, or null to keep finished jobs.");
    }
}
