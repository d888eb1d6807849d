using System.Diagnostics;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Transport;

/// <summary>The pong peer as a child process of the benchmark; disposing it closes its stdin and waits for it to exit.</summary>
internal sealed class PongProcess : IAsyncDisposable
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly NodeReaper _reaper;

    private PongProcess(Process process, string actorPath, TimeSpan startup, NodeReaper reaper)
    {
        _process = process;
        ActorPath = actorPath;
        Startup = startup;
        _reaper = reaper;
    }

    public string ActorPath { get; }

    /// <summary>From the process start to its ActorSystem listening: what Akka.Remote costs a fresh process.</summary>
    public TimeSpan Startup { get; }

    public static async Task<PongProcess> StartAsync(bool direct, NodeReaper reaper, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        start.FileName = self;
        // Started as "dotnet Workers.Benchmarks.dll": start the peer the same way.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(PongProcess).Assembly.Location);
        start.ArgumentList.Add(PongServer.Argument);
        if (direct)
            start.ArgumentList.Add(PongServer.Direct);

        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self} {PongServer.Argument}.");
        reaper.Track(process.Id, "ping-pong peer");
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(Ready, cancellationToken)
                    ?? throw new InvalidOperationException($"The ping-pong peer exited before it was ready (exit code {(process.WaitForExit(1000) ? process.ExitCode : -1)}).");
                if (line.StartsWith(PongServer.ReadyPrefix, StringComparison.Ordinal))
                    return new PongProcess(process, line[PongServer.ReadyPrefix.Length..], Stopwatch.GetElapsedTime(startedAt), reaper);
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        var killed = await _reaper.WaitForExitAsync([_process.Id], TimeSpan.FromSeconds(10));
        _process.Dispose();
        if (killed.Count > 0)
            throw new InvalidOperationException("The ping-pong peer did not exit within 10 s of its stdin closing, and was killed.");
    }
}
