using System.Diagnostics;
using System.Threading.Channels;

namespace Workers.Integration.Tests.Support;

/// <summary>
/// A manager in a process of its own (tests/Workers.TestHost), so that a test can SIGKILL it. Its output lines are
/// read as they come; see the TestHost's Program.cs for what it prints.
/// </summary>
public sealed class TestHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private TestHostProcess(Process process)
    {
        _process = process;
        _ = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
                await _lines.Writer.WriteAsync(line);
            _lines.Writer.Complete();
        });
    }

    public int Pid => _process.Id;

    public static TestHostProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Workers.TestHost"), args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return new TestHostProcess(Process.Start(start)!);
    }

    /// <summary>The next line, or null once the process has closed its output.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan within)
    {
        try
        {
            return await _lines.Reader.ReadAsync().AsTask().WaitAsync(within);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Every job the manager holds, with its status (the "list" command).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ListJobsAsync(TimeSpan within, Action<string> otherLine)
    {
        await _process.StandardInput.WriteLineAsync("list");
        await _process.StandardInput.FlushAsync();
        var jobs = new Dictionary<string, string>();
        while (await ReadLineAsync(within) is { } line && line != "LISTED")
        {
            if (line.StartsWith("JOB ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                jobs[parts[1]] = parts[2];
            }
            else
            {
                otherLine(line); // events keep coming while the list is printed
            }
        }
        return jobs;
    }

    /// <summary>SIGKILL: no shutdown code runs in the manager.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close(); // a graceful stop: the host terminates its actor system
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
