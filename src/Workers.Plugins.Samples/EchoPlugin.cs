namespace Workers.Plugins.Samples;

/// <summary>
/// Returns its <c>text</c> parameter with where it ran: process, worker, plugin instance and how many times
/// that instance was loaded. Tests use it to see which process and instance served a job.
/// </summary>
public sealed class EchoPlugin : WorkerPluginBase
{
    private readonly string _instance = Guid.NewGuid().ToString();
    private int _loads;

    public override string Name => "echo";

    protected override Task OnLoadAsync(CancellationToken cancellationToken)
    {
        _loads++;
        return Task.CompletedTask;
    }

    // Anonymous members are spelled in camelCase so the names are exact with or without a naming policy.
    public override Task<object?> ExecuteAsync(JobContext context) =>
        SyncJob.Run(() => new
        {
            text = context.GetString("text", ""),
            metadata = new
            {
                pid = Environment.ProcessId,
                workerId = context.WorkerId,
                instance = _instance,
                loads = _loads,
            },
        });
}
