using System.Text.Json;

namespace Workers.Plugins;

/// <summary>
/// Convenience base: keeps the configuration passed to <see cref="LoadAsync"/> and disposes nothing. Override
/// <see cref="OnLoadAsync"/> to load resources and <see cref="DisposeAsync"/> to free them.
/// </summary>
public abstract class WorkerPluginBase : IWorkerPlugin
{
    public abstract string Name { get; }

    /// <summary>The configuration of the last load (an empty object before the first).</summary>
    protected JsonElement Config { get; private set; } = JsonDocument.Parse("{}").RootElement;

    public async Task LoadAsync(JsonElement config, CancellationToken cancellationToken)
    {
        Config = config.Clone();
        await OnLoadAsync(cancellationToken).ConfigureAwait(false);
    }

    protected virtual Task OnLoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task<object?> ExecuteAsync(JobContext context);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
