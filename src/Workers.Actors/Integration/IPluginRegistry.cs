using System.Text.Json;

namespace Workers.Actors;

/// <summary>What a plugin registry knows about one plugin.</summary>
/// <param name="Id">The id jobs use (<see cref="StartJob.PluginId"/>) when a registry is set.</param>
/// <param name="Name">The plugin's name on the nodes (<c>IWorkerPlugin.Name</c>).</param>
/// <param name="Category">The category the manager lists plugins by.</param>
/// <param name="IsConfigured">Whether the plugin has a configuration, so that it can run.</param>
public sealed record PluginMetadata(string Id, string Name, string? Category, bool IsConfigured, string? Description = null);

/// <summary>
/// The application's catalogue of plugins and their configurations (the original library's plugin registry). When
/// <see cref="JobManagerOptions.PluginRegistry"/> is set, jobs name plugins by registry id, a job's plugin must be
/// known and configured, and its configuration comes from <see cref="LoadPluginConfig"/>.
/// </summary>
/// <remarks>Called on the manager's thread: keep it quick (cache what is slow to read).</remarks>
public interface IPluginRegistry
{
    IReadOnlyList<PluginMetadata> GetPluginsByCategory(object? category);

    PluginMetadata? GetPlugin(string pluginId);

    /// <summary>The plugin's configuration, or null when it has none.</summary>
    JsonElement? LoadPluginConfig(string pluginId);
}
