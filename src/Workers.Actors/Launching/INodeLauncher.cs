using System.Collections.Immutable;

namespace Workers.Actors.Launching;

/// <summary>What a launcher needs to start one worker node.</summary>
public sealed record NodeLaunchRequest(string WorkerId, string ManagerPath, ImmutableArray<string> PluginAssemblies);

/// <summary>Starts worker nodes. The default starts the Workers.WorkerNode executable; tests can start in-process fakes.</summary>
public interface INodeLauncher
{
    /// <summary>Starts a node that will register with <see cref="NodeLaunchRequest.ManagerPath"/>. Throws if it cannot be started.</summary>
    ILaunchedNode Launch(NodeLaunchRequest request);
}

/// <summary>A started node, as its launcher sees it.</summary>
public interface ILaunchedNode
{
    int Pid { get; }

    /// <summary>Completes with the exit code once the node is gone (128 + n when killed by signal n).</summary>
    Task<int> Exited { get; }

    /// <summary>Kills the node and everything it started; returns at once. <see cref="Exited"/> completes when it is gone.</summary>
    void Kill();

    /// <summary>The last lines the node wrote to stderr, to explain a failed start.</summary>
    string RecentErrors { get; }
}
