using Workers.WorkerNode;

namespace Workers.Actors.Tests.WorkerNode;

public sealed class ChunkCreditsSpecs
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Should_give_at_most_what_is_asked_and_what_is_left()
    {
        var credits = new ChunkCredits(5);

        Assert.Equal(3, await credits.TakeAsync(3, CancellationToken.None));
        Assert.Equal(2, await credits.TakeAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Should_wait_when_empty_and_resume_on_release()
    {
        var credits = new ChunkCredits(1);
        await credits.TakeAsync(1, CancellationToken.None);

        var waiting = credits.TakeAsync(4, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted); // nothing can complete it before the release below

        credits.Release(2);

        Assert.Equal(2, await waiting.WaitAsync(Soon));
    }

    [Fact]
    public async Task Should_take_back_returned_credits()
    {
        var credits = new ChunkCredits(4);
        var taken = await credits.TakeAsync(4, CancellationToken.None);

        credits.Return(taken - 1); // used one of them

        Assert.Equal(3, await credits.TakeAsync(10, CancellationToken.None));
        var waiting = credits.TakeAsync(1, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        credits.Return(1);
        Assert.Equal(1, await waiting.WaitAsync(Soon));
    }

    [Fact]
    public async Task Should_stop_waiting_when_cancelled()
    {
        var credits = new ChunkCredits(1);
        await credits.TakeAsync(1, CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var waiting = credits.TakeAsync(1, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Soon));
        credits.Release(1);
        Assert.Equal(1, await credits.TakeAsync(1, CancellationToken.None)); // the cancelled wait took nothing
    }

    [Fact]
    public async Task Should_never_give_out_more_than_released_under_contention()
    {
        var credits = new ChunkCredits(0);
        var takers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var total = 0;
            while (total < 100)
                total += await credits.TakeAsync(Math.Min(7, 100 - total), CancellationToken.None);
            return total;
        })).ToList();

        for (var i = 0; i < 800; i++)
            credits.Release(1);

        var totals = await Task.WhenAll(takers).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(totals, total => Assert.Equal(100, total));
    }
}
