using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;

namespace Workers.Actors.Persistence;

/// <summary>
/// Turns <see cref="JobStoreOptions"/> into Akka.Persistence plugins. Each manager gets its own journal and snapshot
/// plugin (<c>akka.persistence.journal.workers-{type}</c>), added to the system's configuration as a fallback when
/// the manager starts: an application that defines the same path in its own HOCON tunes the plugin that way.
/// </summary>
internal sealed record JobStoreConfig(string PersistenceId, string JournalPluginId, string SnapshotPluginId)
{
    public static JobStoreConfig Prepare(ActorSystem system, string workerType, JobStoreOptions store)
    {
        var persistenceId = $"workers-{workerType}";
        if (store.Kind == JobStoreKind.InMemory)
            return new(persistenceId, "akka.persistence.journal.inmem", "akka.persistence.snapshot-store.inmem");

        var journalId = $"akka.persistence.journal.workers-{workerType}";
        var snapshotId = $"akka.persistence.snapshot-store.workers-{workerType}";
        var (provider, connection, writers) = store.Kind switch
        {
            JobStoreKind.Sqlite => ("SQLite.MS", PrepareSqlite(store.ConnectionString ?? $"Data Source={JobStoreOptions.DefaultSqlitePath}"), 1),
            JobStoreKind.PostgreSql => ("PostgreSQL.15", store.ConnectionString!, 3),
            _ => throw new ArgumentOutOfRangeException(nameof(store), store.Kind, "no store to prepare"),
        };
        var quoted = Quote(connection);
        system.Settings.InjectTopLevelFallback(ConfigurationFactory.ParseString($$"""
            {{journalId}} {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              plugin-dispatcher = "akka.persistence.dispatchers.default-plugin-dispatcher"
              connection-string = {{quoted}}
              provider-name = "{{provider}}"
              # SQLite has one writer at a time: more would only wait on its lock.
              parallelism = {{writers}}
              # Submitting 10,000 jobs at once puts 10,000 events in one write; the default 5,000 would reject them.
              buffer-size = 100000
              batch-size = 500
              # A row holds a whole batch of events (hundreds of kilobytes): as a parameter it is bound as it is, where
              # the default (values written into the SQL text) would hex-encode it into a string first.
              prefer-parameters-on-multirow-insert = true
              auto-initialize = true
              warn-on-auto-init-fail = true
              # An unreachable database is retried this often (it logs each time).
              initialization-retry-delay = 5s
              # Longest wait for the next event (or the snapshot) during recovery: an unreachable database is
              # reported after this, and new jobs are refused with the reason until it answers.
              recovery-event-timeout = 10s
            }
            {{snapshotId}} {
              class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
              plugin-dispatcher = "akka.persistence.dispatchers.default-plugin-dispatcher"
              connection-string = {{quoted}}
              provider-name = "{{provider}}"
              auto-initialize = true
              warn-on-auto-init-fail = true
              initialization-retry-delay = 5s
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration));
        return new(persistenceId, journalId, snapshotId);
    }

    /// <summary>
    /// Creates the database file's folder and turns on write-ahead logging (kept in the file): a commit then costs one
    /// append instead of a rewrite of the pages it touched.
    /// </summary>
    private static string PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder)
            Directory.CreateDirectory(folder);
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        return builder.ConnectionString;
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
