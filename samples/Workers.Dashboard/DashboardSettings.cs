using Workers.Actors;
using Workers.Plugins;
using Workers.Plugins.Samples;

namespace Workers.Dashboard;

/// <summary>The <c>Workers</c> section of the configuration (appsettings.json, <c>--Workers:MaxWorkers 4</c>, environment).</summary>
internal sealed record DashboardSettings
{
    public const string WorkerType = "dashboard";
    public const string PluginAssembly = "Workers.Plugins.Samples.dll";

    /// <summary>Worker-node processes (default 2).</summary>
    public int MaxWorkers { get; init; } = 2;

    /// <summary>Most pending jobs; beyond it a submission is answered 429 (default 100; 0 = unlimited).</summary>
    public int RequestQueueSize { get; init; } = 100;

    /// <summary>Consecutive failures of a slot before it gives up (default 3); see <c>WorkerConfig.MaxRestartAttempts</c>.</summary>
    public int MaxRestartAttempts { get; init; } = 3;

    /// <summary>Where jobs are kept across restarts: <c>sqlite</c> (default), <c>postgresql</c>, <c>memory</c> or <c>none</c>.</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>The SQLite file (default <c>data/workers.db</c>), or the PostgreSQL connection string.</summary>
    public string Database { get; init; } = JobStoreOptions.DefaultSqlitePath;

    public JobStoreOptions StoreOptions() => Store.ToLowerInvariant() switch
    {
        "sqlite" => JobStoreOptions.Sqlite(Database),
        "postgresql" => JobStoreOptions.PostgreSql(Database),
        "memory" => JobStoreOptions.InMemory,
        "none" => JobStoreOptions.None,
        _ => throw new InvalidOperationException($"Workers:Store must be sqlite, postgresql, memory or none, not \"{Store}\"."),
    };

    /// <summary>The names of the sample plugins, for the page's form (plugin constructors are cheap by contract).</summary>
    public static IReadOnlyList<string> PluginNames { get; } =
    [
        .. typeof(EchoPlugin).Assembly.GetExportedTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IWorkerPlugin).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null)
            .Select(type => ((IWorkerPlugin)Activator.CreateInstance(type)!).Name)
            .Order(StringComparer.Ordinal),
    ];
}
