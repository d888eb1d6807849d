using System.Runtime.InteropServices;

namespace Workers.Plugins.Samples;

/// <summary>
/// Ends its own process at once with <c>exitCode</c> (default 134, what a SIGABRT reports), in the middle of
/// the job: no finalizers, no exit handlers, no reply. Tests use it to see how a node's death is handled.
/// </summary>
public sealed class CrashPlugin : WorkerPluginBase
{
    public override string Name => "crash";

    public override Task<object?> ExecuteAsync(JobContext context) =>
        SyncJob.Run(() =>
        {
            var exitCode = context.GetInt32InRange("exitCode", 134, 0, 255);
            Die(exitCode);
            return null;
        });

    // Environment.Exit runs exit handlers and finalizers, which is a graceful exit, not a crash.
    // _exit and TerminateProcess end the process immediately with the exact code; FailFast is the
    // fallback when neither can be called, at the cost of the code (it aborts).
    private static void Die(int exitCode)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                TerminateProcess(GetCurrentProcess(), (uint)exitCode);
            }
            else
            {
                _exit(exitCode);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }

        Environment.FailFast($"crash plugin: exiting with code {exitCode}");
    }

    // DllImport rather than LibraryImport: the source generator needs AllowUnsafeBlocks, which this project
    // does not set, and these signatures need no marshalling anyway (SYSLIB1054 is only a suggestion).
    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void _exit(int status);

    [DllImport("kernel32")]
    private static extern IntPtr GetCurrentProcess();

    [DllImport("kernel32")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool TerminateProcess(IntPtr process, uint exitCode);
}
