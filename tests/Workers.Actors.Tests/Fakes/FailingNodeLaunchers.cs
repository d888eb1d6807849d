using Workers.Actors.Launching;

namespace Workers.Actors.Tests.Fakes;

/// <summary>A launcher that cannot start anything, like a missing or broken node executable.</summary>
internal sealed class ThrowingNodeLauncher : INodeLauncher
{
    public const string Error = "the node executable is broken (test)";
    private int _launches;

    public int Launches => Volatile.Read(ref _launches);

    public ILaunchedNode Launch(NodeLaunchRequest request)
    {
        Interlocked.Increment(ref _launches);
        throw new InvalidOperationException(Error);
    }
}

/// <summary>A launcher whose nodes start but never register, like a node hung during start-up.</summary>
internal sealed class SilentNodeLauncher : INodeLauncher
{
    private readonly Lock _gate = new();
    private readonly List<SilentNode> _nodes = [];

    public IReadOnlyList<SilentNode> Nodes
    {
        get
        {
            lock (_gate)
                return [.. _nodes];
        }
    }

    public ILaunchedNode Launch(NodeLaunchRequest request)
    {
        var node = new SilentNode(FakePids.Next());
        lock (_gate)
            _nodes.Add(node);
        return node;
    }
}

internal sealed class SilentNode(int pid) : ILaunchedNode
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Pid { get; } = pid;
    public Task<int> Exited => _exited.Task;
    public string RecentErrors => "still loading (test)";
    public bool Killed => _exited.Task.IsCompleted;

    public void Kill() => _exited.TrySetResult(InProcessNode.KilledExitCode);
}
