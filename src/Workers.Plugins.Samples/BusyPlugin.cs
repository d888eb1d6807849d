using System.Diagnostics;

namespace Workers.Plugins.Samples;

/// <summary>
/// Spins a CPU core for <c>ms</c> milliseconds on the calling thread and never looks at the cancellation
/// token: a stand-in for native code that can only be stopped by killing the process. With <c>spawnChild</c> it first
/// starts a helper process (<c>sleep</c>) and reports its pid as progress ("child pid N"), like a plugin that drives
/// an external tool: cancelling must end that process too.
/// </summary>
public sealed class BusyPlugin : WorkerPluginBase
{
    public override string Name => "busy";

    public override Task<object?> ExecuteAsync(JobContext context) =>
        SyncJob.Run(() =>
        {
            var ms = context.GetInt32InRange("ms", 0);
            if (context.Parameters.TryGetProperty("spawnChild", out var spawn) && spawn.ValueKind == System.Text.Json.JsonValueKind.True)
            {
                using var child = Process.Start(new ProcessStartInfo("sleep", ((ms / 1000) + 60).ToString()) { UseShellExecute = false })!;
                context.ReportProgress(0, $"child pid {child.Id}");
            }
            var clock = Stopwatch.StartNew();
            while (clock.ElapsedMilliseconds < ms)
            {
            }

            return new { spunMs = ms };
        });
}
