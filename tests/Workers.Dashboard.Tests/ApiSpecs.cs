using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Workers.Dashboard.Tests.Support;

namespace Workers.Dashboard.Tests;

/// <summary>The HTTP API against the real dashboard and its real worker nodes (two slots, restart policy Always).</summary>
public sealed class ApiSpecs(DashboardApp app) : IClassFixture<DashboardApp>
{
    private static readonly TimeSpan JobEnd = TimeSpan.FromSeconds(60);
    private HttpClient Client => app.Client;

    [Fact]
    public async Task Should_accept_a_job_with_202_and_its_snapshot_and_run_it()
    {
        await using var events = await SseReader.ConnectAsync(Client);
        var response = await PostJobAsync(new { pluginId = "echo", parameters = new { text = "hi" } });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("echo", job.GetProperty("pluginId").GetString());
        Assert.Equal("pending", job.GetProperty("status").GetString());
        var id = job.GetProperty("id").GetString()!;

        await events.ReadUntilAsync(e => e.JobId == id && e.Name == "job.completed", JobEnd);
        var done = await Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("hi", done.GetProperty("result").GetProperty("text").GetString());
        Assert.True(done.GetProperty("workerPid").GetInt32() > 0);
        app.TrackNode(done.GetProperty("workerPid").GetInt32());

        var all = await Client.GetFromJsonAsync<JsonElement>("/api/jobs");
        Assert.Contains(all.EnumerateArray(), j => j.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Should_take_the_options_of_a_job()
    {
        var response = await PostJobAsync(new { pluginId = "echo", parameters = new { text = "x" }, priority = 5, timeoutSeconds = 30, jobId = "chosen-id" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("chosen-id", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());

        var again = await PostJobAsync(new { pluginId = "echo", parameters = new { text = "x" }, jobId = "chosen-id" });
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode); // the same id is the same job
    }

    [Fact]
    public async Task Should_answer_400_with_a_message_for_an_unknown_plugin()
    {
        var response = await PostJobAsync(new { pluginId = "nope", parameters = new { } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("nope", await ErrorAsync(response));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"pluginId\": \"echo\", \"stream\": \"yes\"}")]
    [InlineData("{}")]
    [InlineData("{\"pluginId\": \"echo\", \"parameters\": [1, 2]}")]
    public async Task Should_answer_400_with_a_message_for_a_malformed_body(string body)
    {
        var response = await Client.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await ErrorAsync(response)));
    }

    [Fact]
    public async Task Should_answer_404_for_an_unknown_job()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/jobs/unknown")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostAsync("/api/jobs/unknown/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Should_cancel_a_running_job_with_200_and_answer_409_once_it_is_finished()
    {
        await using var events = await SseReader.ConnectAsync(Client);
        var id = await StartAsync(new { pluginId = "busy", parameters = new { ms = 120_000 } });
        var started = await events.ReadUntilAsync(e => e.JobId == id && e.Name == "job.started", JobEnd);
        app.TrackNode(started[^1].Data.GetProperty("workerPid").GetInt32());

        var cancel = await Client.PostAsync($"/api/jobs/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.True((await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());
        Assert.Equal("cancelled", (await Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("status").GetString());
        var again = await Client.PostAsync($"/api/jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("cancelled", await ErrorAsync(again));
    }

    [Fact]
    public async Task Should_clear_finished_jobs()
    {
        await using var events = await SseReader.ConnectAsync(Client);
        var id = await StartAsync(new { pluginId = "fail", parameters = new { message = "on purpose" } });
        await events.ReadUntilAsync(e => e.JobId == id && e.Name == "job.failed", JobEnd);

        var cleared = await Client.DeleteFromJsonAsync<JsonElement>("/api/jobs/completed");

        Assert.True(cleared.GetProperty("cleared").GetInt32() >= 1);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/jobs/{id}")).StatusCode);
    }

    [Fact]
    public async Task Should_list_the_workers()
    {
        var workers = await Client.GetFromJsonAsync<JsonElement>("/api/workers");

        Assert.Equal(2, workers.GetArrayLength());
        Assert.All(workers.EnumerateArray(), w => Assert.Contains(w.GetProperty("state").GetString(), new[] { "notStarted", "starting", "idle", "busy", "stopping" }));
        await app.TrackNodesAsync();
    }

    [Fact]
    public async Task Should_reload_and_unload_a_plugin()
    {
        var reload = await Client.PostAsync("/api/plugins/echo/reload", JsonContent.Create(new { greeting = "hello" }));
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var result = await reload.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());

        var unload = await Client.PostAsync("/api/plugins/echo/unload", null);
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);

        var bad = await Client.PostAsync("/api/plugins/echo/reload", new StringContent("[1]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Should_be_healthy_while_a_slot_can_take_jobs()
    {
        var health = await Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("healthy", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Should_export_the_job_metrics_as_prometheus_text()
    {
        await using var events = await SseReader.ConnectAsync(Client);
        var id = await StartAsync(new { pluginId = "tokens", parameters = new { count = 3 }, stream = true });
        await events.ReadUntilAsync(e => e.JobId == id && e.Name == "job.completed", JobEnd);

        var text = await Client.GetStringAsync("/metrics");

        Assert.Contains("workers_jobs_started_total{", text);
        Assert.Contains("workers_jobs_completed_total{", text);
        Assert.Contains("workers_chunks_total{", text);
        Assert.Contains("workers_job_duration_seconds_bucket{", text);
        Assert.Contains("workers_jobs_pending{", text);
    }

    [Fact]
    public async Task Should_serve_the_page()
    {
        var page = await Client.GetStringAsync("/");

        Assert.Contains("<title>Workers dashboard</title>", page);
        Assert.Contains("EventSource", await Client.GetStringAsync("/app.js"));
    }

    [Fact]
    public async Task Should_stream_the_events_of_a_job_in_order_with_ids()
    {
        await using var events = await SseReader.ConnectAsync(Client);
        Assert.Equal("text/event-stream", events.ContentType);
        var id = await StartAsync(new { pluginId = "tokens", parameters = new { count = 5, prefix = "t" }, stream = true });

        var received = (await events.ReadUntilAsync(e => e.JobId == id && e.Name == "job.completed", JobEnd))
            .Where(e => e.JobId == id).ToList();

        Assert.Equal("job.queued", received[0].Name);
        Assert.Equal("job.started", received[1].Name);
        var chunks = received.Where(e => e.Name == "job.chunk").ToList();
        Assert.Equal(["t0 ", "t1 ", "t2 ", "t3 ", "t4 ", ""], chunks.Select(c => c.Data.GetProperty("text").GetString()));
        Assert.True(chunks[^1].Data.GetProperty("isFinal").GetBoolean());
        Assert.Equal("t0 t1 t2 t3 t4 ", received[^1].Data.GetProperty("result").GetProperty("text").GetString());
        Assert.Equal("dashboard", received[^1].Data.GetProperty("workerType").GetString());
        Assert.Equal(received.Select(e => e.Id).Order(), received.Select(e => e.Id));
        app.TrackNode(received[1].Data.GetProperty("workerPid").GetInt32());
    }

    [Fact]
    public async Task Should_resume_after_the_last_event_id()
    {
        List<ReceivedEvent> first;
        string id;
        await using (var events = await SseReader.ConnectAsync(Client))
        {
            id = await StartAsync(new { pluginId = "tokens", parameters = new { count = 4 }, stream = true });
            first = [.. (await events.ReadUntilAsync(e => e.JobId == id && e.Name == "job.completed", JobEnd)).Where(e => e.JobId == id)];
        }
        var started = first.Single(e => e.Name == "job.started");

        await using var resumed = await SseReader.ConnectAsync(Client, lastEventId: started.Id);
        var replayed = (await resumed.ReadUntilAsync(e => e.JobId == id && e.Name == "job.completed", JobEnd)).Where(e => e.JobId == id);

        Assert.Equal(first.SkipWhile(e => e.Id <= started.Id).Select(e => (e.Id, e.Name)), replayed.Select(e => (e.Id, e.Name)));
    }

    private Task<HttpResponseMessage> PostJobAsync(object body) => Client.PostAsJsonAsync("/api/jobs", body);

    private async Task<string> StartAsync(object body)
    {
        var response = await PostJobAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    internal static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
}
