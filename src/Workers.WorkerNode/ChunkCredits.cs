namespace Workers.WorkerNode;

/// <summary>
/// The node's side of stream flow control: how many more chunks the manager will take. The sender takes credits
/// before each batch and waits when there are none; the manager's acks give them back. Thread-safe.
/// </summary>
internal sealed class ChunkCredits(int window)
{
    private readonly object _gate = new();
    private int _available = window;
    private TaskCompletionSource? _waiter;

    /// <summary>Takes between 1 and <paramref name="most"/> credits, waiting until at least one is free.</summary>
    public async ValueTask<int> TakeAsync(int most, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_available > 0)
                {
                    var taken = Math.Min(most, _available);
                    _available -= taken;
                    return taken;
                }
                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives back credits the sender took but did not use.</summary>
    public void Return(int count) => Release(count);

    public void Release(int count)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _available += count;
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetResult();
    }
}
