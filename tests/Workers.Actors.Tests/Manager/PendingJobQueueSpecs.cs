using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

public sealed class PendingJobQueueSpecs
{
    private readonly PendingJobQueue _queue = new();

    [Fact]
    public void Should_dequeue_higher_priority_first_then_in_submission_order()
    {
        foreach (var (id, priority) in new[] { ("a0", 0), ("b5", 5), ("c5", 5), ("d1", 1), ("e-3", -3), ("f5", 5) })
            _queue.Enqueue(JobRecords.New(id, priority));

        Assert.Equal(["b5", "c5", "f5", "d1", "a0", "e-3"], DrainIds());
    }

    [Fact]
    public void Should_take_the_first_job_that_fits_and_keep_the_skipped_ones_in_their_order()
    {
        foreach (var (id, priority) in new[] { ("a", 0), ("b", 5), ("c", 5), ("d", 1) })
            _queue.Enqueue(JobRecords.New(id, priority));

        Assert.True(_queue.TryDequeueFirst(new[] { "c", "a" }, static (wanted, job) => wanted.Contains(job.Id) ? $"slot for {job.Id}" : null,
            out var taken, out var slot));
        Assert.Equal("c", taken.Id);
        Assert.Equal("slot for c", slot);
        Assert.False(_queue.TryDequeueFirst<string, string>("zz", static (wanted, job) => job.Id == wanted ? "slot" : null, out _, out _));
        Assert.Equal(3, _queue.Count);
        Assert.Equal(2, _queue.CountWhere(job => job.Id is "a" or "b"));
        Assert.Equal(["b", "d", "a"], DrainIds());
    }

    [Fact]
    public void Should_say_when_it_is_empty()
    {
        Assert.False(_queue.TryDequeue(out _));
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void Should_skip_a_removed_job_and_keep_the_count_exact()
    {
        var jobs = new[] { "a", "b", "c" }.Select(id => JobRecords.New(id)).ToArray();
        foreach (var job in jobs)
            _queue.Enqueue(job);

        Assert.True(_queue.Remove(jobs[1]));
        Assert.Equal(2, _queue.Count);
        Assert.False(_queue.Remove(jobs[1])); // a second removal changes nothing
        Assert.Equal(2, _queue.Count);

        Assert.True(_queue.TryDequeue(out var first));
        Assert.Equal(1, _queue.Count);
        Assert.True(_queue.TryDequeue(out var second));
        Assert.Equal(0, _queue.Count);
        Assert.Equal(["a", "c"], new[] { first.Id, second.Id });
        Assert.False(_queue.TryDequeue(out _));
    }

    [Fact]
    public void Should_keep_the_count_exact_when_the_removed_job_is_at_the_head()
    {
        var head = JobRecords.New("head", priority: 9);
        _queue.Enqueue(head);
        _queue.Enqueue(JobRecords.New("tail"));

        _queue.Remove(head);

        Assert.Equal(1, _queue.Count);
        Assert.Equal(["tail"], DrainIds());
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void Should_not_remove_a_job_that_is_no_longer_pending()
    {
        var job = JobRecords.New("a");
        _queue.Enqueue(job);
        Assert.True(_queue.TryDequeue(out _));
        job.MarkRunning("worker-1", 100000, stream: false, JobRecords.T0);

        Assert.False(_queue.Remove(job));
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void Should_not_skip_a_new_job_that_reuses_the_id_of_a_removed_one()
    {
        // A cancelled pending job stays in the heap until it reaches the head; once cleared, its id is free again.
        var cancelled = JobRecords.New("reused", priority: 0);
        _queue.Enqueue(cancelled);
        _queue.Remove(cancelled);
        cancelled.Cancel(JobRecords.T0);
        var resubmitted = JobRecords.New("reused", priority: 1);
        _queue.Enqueue(resubmitted);

        Assert.Equal(1, _queue.Count);
        Assert.True(_queue.TryDequeue(out var next));
        Assert.Same(resubmitted, next);
        Assert.Equal(0, _queue.Count);
        Assert.False(_queue.TryDequeue(out _));
    }

    private List<string> DrainIds()
    {
        var ids = new List<string>();
        while (_queue.TryDequeue(out var job))
            ids.Add(job.Id);
        return ids;
    }
}
