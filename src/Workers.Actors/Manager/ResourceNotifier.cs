using System.Text.Json;
using Akka.Event;

namespace Workers.Actors.Manager;

/// <summary>
/// Tells the application's <see cref="IResourceManager"/> what happens to nodes, in the original library's call
/// sequence with its bugs fixed: registered when a node starts, unregistered on every exit, "running" when a job
/// starts (configured or not), "idle" only when the node has no job. A failing resource manager is logged, never fatal.
/// </summary>
internal sealed class ResourceNotifier(IResourceManager? resources, string workerType, JobManagerHooks hooks, ILoggingAdapter log)
{
    public void Started(int pid) => Call(r => r.RegisterWorker(pid, workerType));

    public void Exited(int pid) => Call(r => r.UnregisterWorker(pid));

    // Running and Idle come with every job: without a resource manager they return before a closure is made.
    public void Running(int pid, JobRecord job, PluginTarget target)
    {
        if (resources is not null)
            ReportRunning(pid, job, target);
    }

    public void Idle(int pid, string? loadedPlugin)
    {
        if (resources is not null)
            ReportIdle(pid, loadedPlugin);
    }

    private void ReportRunning(int pid, JobRecord job, PluginTarget target) => Call(r =>
    {
        var config = Config(target);
        r.UpdateWorkerState(pid, new WorkerResourceState("running", job.Id, target.PluginName, job.PluginId,
            hooks.ExtractPluginResourceIdentifier(config), config));
    });

    private void ReportIdle(int pid, string? loadedPlugin) =>
        Call(r => r.UpdateWorkerState(pid, new WorkerResourceState("idle", PluginName: loadedPlugin)));

    public void Reloaded(int pid, string pluginName, string configJson) => Call(r =>
    {
        var config = JsonElement.Parse(configJson);
        r.UpdateWorkerState(pid, new WorkerResourceState("idle", null, pluginName, null, hooks.ExtractPluginResourceIdentifier(config), config));
    });

    public void Unloaded(int pid) => Call(r => r.UpdateWorkerState(pid, new WorkerResourceState("idle")));

    private static JsonElement Config(PluginTarget target) => target.Config ?? JsonElement.Parse(target.ConfigJson);

    private void Call(Action<IResourceManager> call)
    {
        if (resources is null)
            return;
        try
        {
            call(resources);
        }
        catch (Exception e)
        {
            log.Warning("The resource manager failed: {0}", e.Message);
        }
    }
}
