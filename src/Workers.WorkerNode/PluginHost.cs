using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Workers.Actors.Plugins;
using Workers.Plugins;

namespace Workers.WorkerNode;

/// <summary>
/// The plugins of one node. A plugin is created and loaded when the manager asks (the configured plugins, when the
/// node starts) or on its first job, each in its own collectible
/// <see cref="System.Runtime.Loader.AssemblyLoadContext"/>, and reused by later jobs. Unloading disposes it and
/// unloads its context so its memory can be freed. Only one caller at a time (the node runs one thing at a time).
/// </summary>
internal sealed class PluginHost(ImmutableArray<PluginDescriptor> catalog) : IAsyncDisposable
{
    private readonly Dictionary<string, LoadedPlugin> _loaded = [];

    public ImmutableArray<string> Names { get; } = [.. catalog.Select(d => d.Name)];

    /// <summary>The plugin used or reloaded last: the one a reload of another plugin unloads first.</summary>
    public string? Current { get; private set; }

    /// <summary>
    /// The plugin, loaded with <paramref name="configJson"/>. A plugin loaded with another configuration (a job of
    /// another registry entry of the same plugin, say a larger model) is unloaded and loaded again with this one.
    /// </summary>
    public async Task<IWorkerPlugin> GetAsync(string name, string configJson, CancellationToken cancellationToken)
    {
        var plugin = await EnsureLoadedAsync(name, configJson, cancellationToken).ConfigureAwait(false);
        Current = name;
        return plugin;
    }

    /// <summary>
    /// Loads the plugin with <paramref name="configJson"/> unless it is loaded so already, as <see cref="GetAsync"/>
    /// does, but leaves <see cref="Current"/> as it is: what a node loads when it starts is not in use yet.
    /// </summary>
    public async Task<IWorkerPlugin> EnsureLoadedAsync(string name, string configJson, CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(name, out var loaded) && loaded.ConfigJson != configJson)
        {
            await UnloadAsync(name).ConfigureAwait(false);
            loaded = null;
        }
        loaded ??= _loaded[name] = await LoadAsync(Find(name), configJson, cancellationToken).ConfigureAwait(false);
        return loaded.Instance;
    }

    /// <summary>Whether the plugin is loaded now.</summary>
    public bool IsLoaded(string name) => _loaded.ContainsKey(name);

    /// <summary>
    /// Loads the plugin afresh with a new configuration. Switching to another plugin unloads the current one first,
    /// so that a model on a GPU is freed before the next one is loaded (as the original library does).
    /// </summary>
    public async Task ReloadAsync(string name, string configJson, CancellationToken cancellationToken)
    {
        var descriptor = Find(name);
        if (Current is { } current && current != name)
            await UnloadAsync(current).ConfigureAwait(false);
        await UnloadAsync(name).ConfigureAwait(false);
        _loaded[name] = await LoadAsync(descriptor, configJson, cancellationToken).ConfigureAwait(false);
        Current = name;
    }

    /// <summary>Unloads the plugin if it is loaded; returns a weak reference to its load context (for tests).</summary>
    public async Task<WeakReference?> UnloadAsync(string name)
    {
        Find(name);
        if (!_loaded.Remove(name, out var loaded))
            return null;
        if (Current == name)
            Current = null;
        try
        {
            await loaded.Instance.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            loaded.Context.Unload();
        }
        return new WeakReference(loaded.Context);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _loaded.Keys.ToList())
            await UnloadAsync(name).ConfigureAwait(false);
    }

    private PluginDescriptor Find(string name) =>
        catalog.FirstOrDefault(d => d.Name == name)
        ?? throw new InvalidOperationException($"This node has no plugin \"{name}\". It has: {string.Join(", ", Names)}.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<LoadedPlugin> LoadAsync(PluginDescriptor descriptor, string configJson, CancellationToken cancellationToken)
    {
        var context = new PluginLoadContext(descriptor.AssemblyPath);
        try
        {
            var type = context.LoadFromAssemblyPath(descriptor.AssemblyPath).GetType(descriptor.TypeName, throwOnError: true)!;
            var plugin = (IWorkerPlugin)Activator.CreateInstance(type)!;
            using var config = JsonDocument.Parse(configJson);
            await plugin.LoadAsync(config.RootElement.Clone(), cancellationToken).ConfigureAwait(false);
            return new LoadedPlugin(plugin, context, configJson);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    private sealed record LoadedPlugin(IWorkerPlugin Instance, PluginLoadContext Context, string ConfigJson);
}
