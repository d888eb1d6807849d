namespace Workers.Plugins.Samples;

/// <summary>Fails every job with an <see cref="InvalidOperationException"/> carrying <c>message</c>.</summary>
public sealed class FailPlugin : WorkerPluginBase
{
    public override string Name => "fail";

    public override Task<object?> ExecuteAsync(JobContext context) =>
        SyncJob.Run(() => throw new InvalidOperationException(context.GetString("message", "plugin failed on purpose")));
}
