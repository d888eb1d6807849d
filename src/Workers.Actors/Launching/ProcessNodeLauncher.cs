using System.Diagnostics;
using Akka.Event;

namespace Workers.Actors.Launching;

/// <summary>Starts each worker node as a child process of the manager's process.</summary>
public sealed class ProcessNodeLauncher : INodeLauncher
{
    private readonly string _executable;
    private readonly ILoggingAdapter? _log;

    /// <param name="workerNodePath">The node executable; null looks beside the application.</param>
    /// <param name="log">Receives the node's stdout and stderr lines.</param>
    public ProcessNodeLauncher(string? workerNodePath, ILoggingAdapter? log = null)
    {
        _executable = WorkerNodeLocator.Locate(workerNodePath);
        _log = log;
    }

    public ILaunchedNode Launch(NodeLaunchRequest request)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            // The node exits when this pipe closes: that is how a node notices its manager died, even by SIGKILL.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_executable.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            start.ArgumentList.Add(_executable);
        }
        else
        {
            start.FileName = _executable;
        }
        foreach (var argument in (string[])
                 ["--manager", request.DirectManagerPath ?? request.ManagerPath, "--worker-id", request.WorkerId, "--watch-stdin", "--plugins", .. request.PluginAssemblies])
        {
            start.ArgumentList.Add(argument);
        }
        return ProcessNode.Start(start, request.WorkerId, _log);
    }

    private sealed class ProcessNode : ILaunchedNode
    {
        private const int KeptErrorLines = 20;
        private readonly Process _process;
        private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Queue<string> _errors = new();

        private ProcessNode(Process process) => _process = process;

        public int Pid { get; private set; }
        public Task<int> Exited => _exited.Task;

        public string RecentErrors
        {
            get
            {
                lock (_errors)
                    return string.Join(Environment.NewLine, _errors);
            }
        }

        public static ProcessNode Start(ProcessStartInfo start, string workerId, ILoggingAdapter? log)
        {
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var node = new ProcessNode(process);
            process.Exited += (_, _) =>
            {
                node._exited.TrySetResult(process.ExitCode);
                // Let the output readers reach the end of their streams, then free the process handle.
                Task.Run(() =>
                {
                    process.WaitForExit();
                    process.Dispose();
                });
            };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                    log?.Debug("[{0}] {1}", workerId, line);
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not { } line)
                    return;
                log?.Warning("[{0}] {1}", workerId, line);
                lock (node._errors)
                {
                    node._errors.Enqueue(line);
                    if (node._errors.Count > KeptErrorLines)
                        node._errors.Dequeue();
                }
            };
            process.Start();
            node.Pid = process.Id;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return node;
        }

        /// <summary>
        /// Kills the node and every process it started, off the caller's thread. On Linux the descendants are read from
        /// /proc/{pid}/task/*/children (cheap) before the node is killed, so none escapes by being re-parented; the
        /// generic tree kill enumerates every process on the machine and can take tens of milliseconds.
        /// </summary>
        public void Kill()
        {
            var pid = Pid;
            _ = Task.Run(() =>
            {
                if (!OperatingSystem.IsLinux())
                {
                    Quietly(() => _process.Kill(entireProcessTree: true));
                    return;
                }
                var descendants = ProcessTree.Descendants(pid);
                Quietly(() => _process.Kill());
                foreach (var child in descendants)
                    ProcessTree.KillQuietly(child);
            });
        }

        private static void Quietly(Action kill)
        {
            try
            {
                kill();
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or System.ComponentModel.Win32Exception)
            {
                // Already exited: Exited has fired or is about to.
            }
        }
    }
}
