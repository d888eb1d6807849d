using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Workers.Dashboard.Tests.Support;

namespace Workers.Dashboard.Tests;

/// <summary>Limits and failure: one worker, a queue of one, a slot that gives up at its first crash.</summary>
public sealed class LimitSpecs(SmallDashboardApp app) : IClassFixture<SmallDashboardApp>
{
    private static readonly TimeSpan JobEnd = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Should_answer_429_when_the_queue_is_full_then_503_health_when_no_slot_can_take_jobs()
    {
        var client = app.Client;
        await using var events = await SseReader.ConnectAsync(client);

        // A job occupies the only slot (or waits for it), a second waits: the queue of one is full.
        var running = await StartAsync(client, "sleep", new { ms = 120_000 });
        await events.ReadUntilAsync(e => e.JobId == running && e.Name == "job.started", JobEnd);
        var waiting = await StartAsync(client, "echo", new { text = "waiting" });
        var full = await client.PostAsJsonAsync("/api/jobs", new { pluginId = "echo", parameters = new { text = "one too many" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, full.StatusCode);
        Assert.Contains("queue is full", await ApiSpecs.ErrorAsync(full));

        // Cancelling the pending job frees the queue; cancelling the running one kills its node.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/jobs/{waiting}/cancel", null)).StatusCode);
        await app.TrackNodesAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/jobs/{running}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        // The slot may fail 0 times: after one crash it is Failed, and the health check says so.
        var crash = await StartAsync(client, "crash", new { exitCode = 134 });
        var crashed = await events.ReadUntilAsync(e => e.Name == "worker.failed", JobEnd);
        Assert.Contains(crashed, e => e.JobId == crash && e.Name == "job.failed");
        var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("unhealthy", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var rejected = await client.PostAsJsonAsync("/api/jobs", new { pluginId = "echo", parameters = new { text = "no slot" } });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
    }

    private async Task<string> StartAsync(HttpClient client, string plugin, object parameters)
    {
        var response = await client.PostAsJsonAsync("/api/jobs", new { pluginId = plugin, parameters });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        return job.GetProperty("id").GetString()!;
    }
}
