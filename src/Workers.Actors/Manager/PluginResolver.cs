using System.Collections.Immutable;
using System.Text.Json;

namespace Workers.Actors.Manager;

/// <summary>What a job's plugin id stands for: the plugin the node runs and the configuration it runs with.</summary>
internal sealed record PluginTarget(string PluginName, string ConfigJson, JsonElement? Config);

/// <summary>
/// Resolves a job's plugin id. Without a registry the id is the plugin's name on the nodes. With one, the id is the
/// registry's; the plugin must be known and configured there, its name must be one the nodes have, and its
/// configuration is the registry's.
/// </summary>
internal sealed class PluginResolver(ImmutableHashSet<string> nodePlugins, IPluginRegistry? registry)
{
    public ImmutableHashSet<string> NodePlugins => nodePlugins;

    /// <summary>Returns the target, or null with <paramref name="error"/> saying why the id cannot be used.</summary>
    public PluginTarget? Resolve(string pluginId, IReadOnlyDictionary<string, string> configsByName, out string? error)
    {
        error = null;
        if (registry is null)
        {
            if (nodePlugins.Contains(pluginId))
                return new PluginTarget(pluginId, configsByName.GetValueOrDefault(pluginId, "{}"), null);
            error = $"Unknown plugin \"{pluginId}\". Known plugins: {string.Join(", ", nodePlugins.Order())}.";
            return null;
        }

        var metadata = registry.GetPlugin(pluginId);
        if (metadata is null)
        {
            error = $"Plugin {pluginId} not found in the plugin registry.";
            return null;
        }
        if (!metadata.IsConfigured)
        {
            error = $"Plugin {pluginId} is not configured: give it a configuration in the plugin registry first.";
            return null;
        }
        if (!nodePlugins.Contains(metadata.Name))
        {
            error = $"Plugin {pluginId} names plugin \"{metadata.Name}\", which no plugin assembly provides. Known plugins: {string.Join(", ", nodePlugins.Order())}.";
            return null;
        }
        var config = registry.LoadPluginConfig(pluginId);
        var configJson = config is { ValueKind: JsonValueKind.Object } json ? json.GetRawText() : configsByName.GetValueOrDefault(metadata.Name, "{}");
        return new PluginTarget(metadata.Name, configJson, config);
    }

    /// <summary>
    /// The plugins a node with <paramref name="plugins"/> loads when it starts (WorkerConfig.LoadPluginsOnStart), one per
    /// plugin name, with the configuration a job would run them with. With a registry: those of
    /// <paramref name="category"/> that it marks configured (the first id of a name, in the registry's order, when
    /// several name the same plugin), as the original library's workers load at start. Without one: those with a
    /// configuration (JobManagerOptions.PluginConfigs, or a reload's).
    /// </summary>
    /// <param name="failed">told of a registry entry whose configuration could not be read; the others are still listed</param>
    public IReadOnlyList<PluginTarget> Configured(object? category, IReadOnlyDictionary<string, string> configsByName, IReadOnlyCollection<string> plugins,
        Action<string, Exception> failed)
    {
        var targets = new List<PluginTarget>();
        if (registry is null)
        {
            foreach (var (name, configJson) in configsByName)
            {
                if (plugins.Contains(name))
                    targets.Add(new PluginTarget(name, configJson, null));
            }
            return targets;
        }
        foreach (var metadata in registry.GetPluginsByCategory(category))
        {
            if (!metadata.IsConfigured || !plugins.Contains(metadata.Name) || targets.Exists(target => target.PluginName == metadata.Name))
                continue;
            try
            {
                if (Resolve(metadata.Id, configsByName, out _) is { } target)
                    targets.Add(target);
            }
            catch (Exception e)
            {
                failed(metadata.Id, e);
            }
        }
        return targets;
    }
}
