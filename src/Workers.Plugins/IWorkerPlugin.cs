using System.Text.Json;

namespace Workers.Plugins;

/// <summary>
/// A plugin runs jobs inside a worker node process. The node creates one instance per plugin type when it
/// starts, if the plugin is configured (WorkerConfig.LoadPluginsOnStart), or else when a job first needs it, calls
/// <see cref="LoadAsync"/> once (load models here), and then reuses the instance for every later job until the plugin
/// is reloaded or unloaded. A node runs one job at a time, so an implementation needs no locking of its own.
/// </summary>
/// <remarks>
/// A plugin needs a public parameterless constructor. Exceptions thrown from <see cref="LoadAsync"/> or
/// <see cref="ExecuteAsync"/> fail the job with the exception's message; the node stays up.
/// </remarks>
public interface IWorkerPlugin : IAsyncDisposable
{
    /// <summary>The name jobs use to select this plugin (the <c>PluginId</c> of a job).</summary>
    string Name { get; }

    /// <summary>
    /// Loads the plugin's resources with its configuration (an empty object when none is configured).
    /// Called once, when the node starts or before the first job, and again with a new configuration on reload.
    /// </summary>
    Task LoadAsync(JsonElement config, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one job and returns its result. The result is turned into JSON by the node, as the original library's
    /// default adapter does: a JSON object (or an object that serializes to one, camelCase) is kept as it is; text and
    /// anything else become <c>{"text": …, "metadata": {}}</c>; null becomes <c>{}</c>.
    /// </summary>
    Task<object?> ExecuteAsync(JobContext context);
}

/// <summary>
/// A plugin that can stream partial output (tokens, partial transcripts). When a job asks to stream, the node
/// calls <see cref="StreamAsync"/> instead of <see cref="IWorkerPlugin.ExecuteAsync"/>; the job's result is then
/// <c>{"text": all chunks joined}</c>.
/// </summary>
/// <remarks>
/// The consumer may pause between items when subscribers fall behind (flow control); a plugin simply awaits
/// its <c>yield</c>s and never buffers output of its own.
/// </remarks>
public interface IStreamingWorkerPlugin : IWorkerPlugin
{
    IAsyncEnumerable<string> StreamAsync(JobContext context);
}
