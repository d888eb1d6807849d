using System.Text.Json;
using Workers.Actors;
using Workers.AspNetCore;

namespace Workers.Dashboard.Tests;

/// <summary>The broadcaster alone: ids, names, replay after a Last-Event-ID, and a slow client dropped, never waited for.</summary>
public sealed class SseEventBroadcasterSpecs
{
    [Fact]
    public async Task Should_name_and_number_the_events_and_add_the_worker_type()
    {
        var broadcaster = new SseEventBroadcaster();
        using var client = broadcaster.Subscribe();

        await broadcaster.BroadcastAsync("text:queued", new JobQueued("j1", "echo"));
        await broadcaster.BroadcastAsync("text:worker_restarting", new WorkerRestarting("worker-1", TimeSpan.Zero, 1));

        Assert.True(client.Events.TryRead(out var queued));
        Assert.Equal((1L, "job.queued"), (queued.Id, queued.Name));
        var data = JsonDocument.Parse(queued.Data).RootElement;
        Assert.Equal("j1", data.GetProperty("jobId").GetString());
        Assert.Equal("text", data.GetProperty("workerType").GetString());
        Assert.True(client.Events.TryRead(out var restarting));
        Assert.Equal((2L, "worker.restarting"), (restarting.Id, restarting.Name));
    }

    [Fact]
    public async Task Should_replay_what_a_client_missed_as_far_as_the_buffer_goes()
    {
        var broadcaster = new SseEventBroadcaster(replayBuffer: 3);
        for (var i = 0; i < 5; i++)
            await broadcaster.BroadcastAsync("t:chunk", new JobChunk("j", i, $"c{i}", false));

        Assert.Equal([4L, 5L], broadcaster.Subscribe(lastEventId: 3).Replay.Select(e => e.Id));
        Assert.Equal([3L, 4L, 5L], broadcaster.Subscribe(lastEventId: 0).Replay.Select(e => e.Id)); // 1 and 2 are gone
        Assert.Empty(broadcaster.Subscribe(lastEventId: 5).Replay);
        Assert.Empty(broadcaster.Subscribe().Replay);
    }

    [Fact]
    public async Task Should_disconnect_a_client_that_falls_behind_without_waiting_for_it()
    {
        var broadcaster = new SseEventBroadcaster(clientBuffer: 2);
        using var slow = broadcaster.Subscribe();
        using var fast = broadcaster.Subscribe();

        for (var i = 0; i < 3; i++)
        {
            var broadcast = broadcaster.BroadcastAsync("t:chunk", new JobChunk("j", i, "x", false));
            Assert.True(broadcast.IsCompleted); // never waits for a client
            while (fast.Events.TryRead(out _))
            {
            }
        }

        Assert.Equal(1, broadcaster.ClientCount);
        await Assert.ThrowsAsync<SseClientTooSlowException>(async () =>
        {
            await foreach (var _ in slow.Events.ReadAllAsync())
            {
            }
        });
    }
}
