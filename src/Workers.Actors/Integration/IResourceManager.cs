using System.Text.Json;

namespace Workers.Actors;

/// <summary>What a resource manager is told about a node when its state changes.</summary>
/// <param name="Status">"running" while the node runs a job, "idle" when it has none.</param>
/// <param name="LoadedPluginResource">the model or resource the plugin holds (see <see cref="JobManagerHooks.ExtractPluginResourceIdentifier"/>).</param>
public sealed record WorkerResourceState(
    string Status,
    string? JobId = null,
    string? PluginName = null,
    string? PluginId = null,
    string? LoadedPluginResource = null,
    JsonElement? Config = null);

/// <summary>
/// The application's accounting of processes and what they hold, e.g. GPU memory (the original library's resource
/// manager). The manager registers every node when it starts, unregisters it on every exit (crash, cancel,
/// recycle, shutdown), marks it "running" when a job starts and "idle" only when the node has no job any more.
/// </summary>
/// <remarks>Called on the manager's thread, in the order things happen: keep each call quick. An exception is logged and ignored.</remarks>
public interface IResourceManager
{
    void RegisterWorker(int pid, string workerType);

    void UnregisterWorker(int pid);

    void UpdateWorkerState(int pid, WorkerResourceState state);
}
