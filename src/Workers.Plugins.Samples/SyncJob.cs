namespace Workers.Plugins.Samples;

internal static class SyncJob
{
    /// <summary>
    /// Runs synchronous plugin work and hands back a task that is faulted rather than throwing, so a caller
    /// that pipes the task (instead of awaiting it inside a try) still sees a failed job.
    /// </summary>
    public static Task<object?> Run(Func<object?> work)
    {
        try
        {
            return Task.FromResult(work());
        }
        catch (Exception e)
        {
            return Task.FromException<object?>(e);
        }
    }
}
