namespace Workers.Actors.Manager;

/// <summary>
/// Pending jobs ordered by priority (higher first), then by submission (FIFO). Removing a job (cancel) is
/// lazy: it is skipped when it reaches the head, so removal costs nothing and <see cref="Count"/> stays exact.
/// </summary>
internal sealed class PendingJobQueue
{
    private readonly PriorityQueue<JobRecord, (int NegativePriority, long Sequence)> _queue = new();
    // By reference, not id: a later job may reuse the id of a removed (cancelled, then cleared) one.
    private readonly HashSet<JobRecord> _removed = new(ReferenceEqualityComparer.Instance);

    public int Count { get; private set; }

    public void Enqueue(JobRecord job)
    {
        _queue.Enqueue(job, (-job.Options.Priority, job.Sequence));
        Count++;
    }

    /// <summary>Marks a queued job as gone; returns false if it is not queued.</summary>
    public bool Remove(JobRecord job)
    {
        if (job.Status != JobStatus.Pending || !_removed.Add(job))
            return false;
        Count--;
        return true;
    }

    /// <summary>The job <see cref="TryDequeue"/> would return, left in the queue.</summary>
    public bool TryPeek(out JobRecord job)
    {
        while (_queue.TryPeek(out job!, out _))
        {
            if (!_removed.Remove(job))
                return true;
            _queue.Dequeue();
        }
        return false;
    }

    public bool TryDequeue(out JobRecord job)
    {
        while (_queue.TryDequeue(out job!, out _))
        {
            if (_removed.Remove(job))
                continue;
            Count--;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Takes the first job in queue order for which <paramref name="choose"/> (given <paramref name="state"/>) finds
    /// something (the slot to run it), and that; the jobs before it stay queued in their places. Without pinning or
    /// external nodes the head always fits, so this costs one dequeue and, with a static lambda, no allocation.
    /// </summary>
    public bool TryDequeueFirst<TState, TChoice>(TState state, Func<TState, JobRecord, TChoice?> choose, out JobRecord job, out TChoice choice)
        where TChoice : class
    {
        List<JobRecord>? skipped = null;
        choice = null!;
        var found = false;
        while (TryDequeue(out job))
        {
            if (choose(state, job) is { } chosen)
            {
                choice = chosen;
                found = true;
                break;
            }
            (skipped ??= []).Add(job);
        }
        // Their priority and sequence are their keys: re-queued, they keep their order.
        skipped?.ForEach(Enqueue);
        return found;
    }

    /// <summary>How many queued jobs satisfy <paramref name="predicate"/> (not counting removed ones).</summary>
    public int CountWhere(Func<JobRecord, bool> predicate) =>
        _queue.UnorderedItems.Count(item => !_removed.Contains(item.Element) && predicate(item.Element));
}
