using System.Collections.Immutable;

namespace Workers.Actors.Launching;

/// <summary>What a launcher needs to start one worker node.</summary>
/// <param name="WorkerId">the node's slot</param>
/// <param name="ManagerPath">the manager's actor path at the system's default address (akka.tcp://, reachable from other hosts if the manager listens for them)</param>
/// <param name="PluginAssemblies">the plugin assemblies the node loads</param>
public sealed record NodeLaunchRequest(string WorkerId, string ManagerPath, ImmutableArray<string> PluginAssemblies)
{
    /// <summary>
    /// The manager's actor path over Workers' direct transport (akka.direct://, loopback), for a node started on the
    /// manager's own host; null when the manager's ActorSystem does not run that transport (its configuration lists
    /// enabled-transports without it). <see cref="ProcessNodeLauncher"/> uses it when there is one.
    /// </summary>
    public string? DirectManagerPath { get; init; }
}

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
