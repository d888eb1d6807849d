using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Workers.Integration.Tests.Support;

/// <summary>
/// A worker node started the way an operator (or systemd) starts one: the executable with its command line, not by
/// a manager. Optionally behind a prefix such as <c>ip netns exec ns</c> (which execs the node, so the pid is the
/// node's). Its output lines are kept for assertions and copied to the test's output. Disposing kills what is left.
/// </summary>
public sealed class ExternalNode : IAsyncDisposable
{
    public static readonly string Executable =
        Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Workers.WorkerNode.exe" : "Workers.WorkerNode");

    public static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "Workers.Plugins.Samples.dll");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ExternalNode(Process process) => _process = process;

    public int Pid => _process.Id;

    public string Output => string.Join(Environment.NewLine, _lines);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>[prefix...] Workers.WorkerNode arguments...</c> and records its pid in <paramref name="nodes"/>.</summary>
    public static ExternalNode Start(NodeProcesses nodes, ITestOutputHelper? output, IReadOnlyList<string> prefix, params string[] arguments) =>
        Start(nodes, output, prefix, new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="Start(NodeProcesses, ITestOutputHelper?, IReadOnlyList{string}, string[])"/>, with these variables added to its environment.</summary>
    public static ExternalNode Start(NodeProcesses nodes, ITestOutputHelper? output, IReadOnlyList<string> prefix, IReadOnlyDictionary<string, string> environment,
        params string[] arguments)
    {
        var start = new ProcessStartInfo(prefix.Count > 0 ? prefix[0] : Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true, // kept open and unused: the node is not --watch-stdin
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        foreach (var argument in prefix.Skip(1).Concat(prefix.Count > 0 ? [Executable] : []).Concat(arguments))
            start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start };
        var node = new ExternalNode(process);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data, output);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data, output);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        nodes.Add(process.Id, $"external node {string.Join(' ', arguments)}");
        return node;
    }

    /// <summary>SIGKILL: the node gets no chance to say goodbye, as when its host dies.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits (bounded) for the node to exit by itself and returns its exit code; fails the test if it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new Xunit.Sdk.XunitException($"The external node did not exit within {within}. Its output:{Environment.NewLine}{Output}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // NodeProcesses.AssertAllExitedAsync names it.
        }
        _process.Dispose();
    }

    private void Keep(string? line, ITestOutputHelper? output)
    {
        if (line is null)
            return;
        _lines.Enqueue(line);
        try
        {
            output?.WriteLine($"[node] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test is over.
        }
    }
}
