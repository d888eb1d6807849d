using System.Collections.Immutable;
using System.Text.Json;
using Workers.Actors.Launching;

namespace Workers.Actors;

/// <summary>Everything one <see cref="JobManagerActor"/> needs. <see cref="WorkerType"/> is required.</summary>
public sealed record JobManagerOptions
{
    /// <summary>The kind of work this manager runs ("transcription"): its actor name, log prefix and event-name prefix.</summary>
    public string WorkerType { get; init; } = "";

    /// <summary>Passed unchanged to the plugin registry when it lists this manager's plugins.</summary>
    public object? Category { get; init; }

    /// <summary>When false, <see cref="JobOptions.Stream"/> is ignored and every job returns its result in one piece (default true).</summary>
    public bool SupportsStreaming { get; init; } = true;

    public WorkerConfig Worker { get; init; } = new();

    /// <summary>Paths of the assemblies whose plugins the nodes load (relative paths are taken from the application's folder).</summary>
    public ImmutableArray<string> PluginAssemblies { get; init; } = [];

    /// <summary>Configuration per plugin name, given to the plugin when a node loads it. Plugins without one get <c>{}</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> PluginConfigs { get; init; } = ImmutableDictionary<string, JsonElement>.Empty;

    /// <summary>The worker node executable; by default the one the build copies beside the application.</summary>
    public string? WorkerNodePath { get; init; }

    /// <summary>
    /// The application's plugin catalogue (null: none). With one, jobs name plugins by registry id, must be configured
    /// there, and run with the registry's configuration. <see cref="JsonFilePluginRegistry"/> keeps it in JSON files.
    /// </summary>
    public IPluginRegistry? PluginRegistry { get; init; }

    /// <summary>Told when nodes start, run, idle and exit (null: none).</summary>
    public IResourceManager? ResourceManager { get; init; }

    /// <summary>Receives every job and worker event as <c>{WorkerType}:{event}</c> (null: none).</summary>
    public IEventBroadcaster? EventBroadcaster { get; init; }

    /// <summary>
    /// The most events waiting for a slow <see cref="EventBroadcaster"/> (default 10,000). Past it, chunk and progress
    /// events are dropped first (the job's result still carries the whole text); the manager never waits.
    /// </summary>
    public int EventBroadcasterBuffer { get; init; } = 10_000;

    /// <summary>The domain hooks (create job, prepare execute request, extract result, validate resources, on completed); null: the defaults.</summary>
    public JobManagerHooks? Hooks { get; init; }

    /// <summary>
    /// Where jobs are journaled so that they survive a restart: a SQLite file at <c>data/workers.db</c> by default.
    /// <see cref="JobStoreOptions.None"/> keeps jobs in memory only.
    /// </summary>
    public JobStoreOptions Store { get; init; } = new();

    /// <summary>Starts node processes. Null (default) starts the worker node executable; tests may start in-process nodes.</summary>
    public INodeLauncher? NodeLauncher { get; init; }

    /// <summary>
    /// The secret a worker node started by an operator must present to register (null, the default: such nodes are
    /// refused; spawned nodes never need it). Use <see cref="NodeTokenFile"/> to keep it out of configuration.
    /// </summary>
    public string? NodeToken { get; init; }

    /// <summary>A file whose content (trimmed) is the <see cref="NodeToken"/>; read when the manager starts.</summary>
    public string? NodeTokenFile { get; init; }

    /// <summary>
    /// Whether the manager starts node processes of its own (default true: <see cref="WorkerConfig.MaxWorkers"/> slots
    /// plus the warm spares). False: it runs jobs only on external nodes that register with <see cref="NodeToken"/>;
    /// jobs wait in the queue until one does.
    /// </summary>
    public bool SpawnNodes { get; init; } = true;

    /// <summary>
    /// Plugin name → the worker ids allowed to run it (default empty: every plugin runs on any slot whose node has it).
    /// Spawned slots are <c>worker-1</c>, <c>worker-2</c> …; external nodes use their <c>--worker-id</c>. A job of a
    /// pinned plugin waits until one of its slots is idle, even when others are.
    /// </summary>
    public IReadOnlyDictionary<string, ImmutableArray<string>> PinnedPlugins { get; init; } = ImmutableDictionary<string, ImmutableArray<string>>.Empty;

    /// <summary>Throws <see cref="ArgumentException"/> or <see cref="ArgumentOutOfRangeException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(WorkerType))
            throw new ArgumentException("WorkerType is required: it names the manager (for example \"transcription\").", nameof(WorkerType));
        if (!WorkerType.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"WorkerType \"{WorkerType}\" may contain only letters, digits, '-' and '_' (it becomes an actor name).", nameof(WorkerType));
        if (PluginAssemblies.IsDefaultOrEmpty)
            throw new ArgumentException("PluginAssemblies is empty: name at least one assembly that contains plugins.", nameof(PluginAssemblies));
        if (EventBroadcasterBuffer < 1)
            throw new ArgumentOutOfRangeException(nameof(EventBroadcasterBuffer), EventBroadcasterBuffer, "EventBroadcasterBuffer must be at least 1.");
        if (NodeToken is not null && NodeTokenFile is not null)
            throw new ArgumentException("Set NodeToken or NodeTokenFile, not both.", nameof(NodeTokenFile));
        if (NodeToken is not null && string.IsNullOrWhiteSpace(NodeToken))
            throw new ArgumentException("NodeToken must not be blank: use a long random secret, or null to refuse external nodes.", nameof(NodeToken));
        if (NodeTokenFile is not null && !File.Exists(NodeTokenFile))
            throw new ArgumentException($"NodeTokenFile: no file at {Path.GetFullPath(NodeTokenFile)}.", nameof(NodeTokenFile));
        if (!SpawnNodes && NodeToken is null && NodeTokenFile is null)
            throw new ArgumentException("SpawnNodes = false needs NodeToken or NodeTokenFile: otherwise no node could ever run a job.", nameof(SpawnNodes));
        foreach (var (plugin, workers) in PinnedPlugins)
        {
            if (workers.IsDefaultOrEmpty || workers.Any(string.IsNullOrWhiteSpace))
                throw new ArgumentException($"PinnedPlugins[\"{plugin}\"] must name at least one worker id, and no blank one.", nameof(PinnedPlugins));
        }
        Worker.Validate();
        Store.Validate();
    }

    /// <summary>The token external nodes must present, or null when none may register.</summary>
    internal string? ResolveNodeToken()
    {
        if (NodeTokenFile is null)
            return NodeToken;
        var token = File.ReadAllText(NodeTokenFile).Trim();
        return token.Length > 0 ? token : throw new ArgumentException($"NodeTokenFile {Path.GetFullPath(NodeTokenFile)} is empty.", nameof(NodeTokenFile));
    }

    internal IEnumerable<string> ResolvedPluginAssemblies() =>
        PluginAssemblies.Select(path => Path.GetFullPath(path, AppContext.BaseDirectory));
}
