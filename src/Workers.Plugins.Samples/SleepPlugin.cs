namespace Workers.Plugins.Samples;

/// <summary>Waits <c>ms</c> milliseconds, stopping early when the job's cancellation token fires.</summary>
public sealed class SleepPlugin : WorkerPluginBase
{
    public override string Name => "sleep";

    public override async Task<object?> ExecuteAsync(JobContext context)
    {
        var ms = context.GetInt32InRange("ms", 0);
        await Task.Delay(ms, context.CancellationToken).ConfigureAwait(false);
        return new { sleptMs = ms };
    }
}
