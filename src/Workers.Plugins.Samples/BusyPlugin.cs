using System.Diagnostics;

namespace Workers.Plugins.Samples;

/// <summary>
/// Spins a CPU core for <c>ms</c> milliseconds on the calling thread and never looks at the cancellation
/// token: a stand-in for native code that can only be stopped by killing the process.
/// </summary>
public sealed class BusyPlugin : WorkerPluginBase
{
    public override string Name => "busy";

    public override Task<object?> ExecuteAsync(JobContext context) =>
        SyncJob.Run(() =>
        {
            var ms = context.GetInt32InRange("ms", 0);
            var clock = Stopwatch.StartNew();
            while (clock.ElapsedMilliseconds < ms)
            {
            }

            return new { spunMs = ms };
        });
}
