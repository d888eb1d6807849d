using System.Text.Json;

namespace Workers.Dashboard.Tests.Support;

/// <summary>One event read from <c>/api/events</c>.</summary>
public sealed record ReceivedEvent(long Id, string Name, JsonElement Data)
{
    public string? JobId => Data.TryGetProperty("jobId", out var id) ? id.GetString() : null;
}

/// <summary>Reads a <c>text/event-stream</c> response event by event.</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    /// <summary>Connects, with a <c>Last-Event-ID</c> when given, and returns once the response headers arrived.</summary>
    public static async Task<SseReader> ConnectAsync(HttpClient client, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        if (lastEventId is { } id)
            request.Headers.Add("Last-Event-ID", id.ToString());
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event (comments and the retry line are skipped).</summary>
    public async Task<ReceivedEvent> NextAsync(CancellationToken cancel)
    {
        long? id = null;
        string? name = null;
        string? data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancel) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (data is not null)
                    return new ReceivedEvent(id ?? throw new InvalidDataException("An event without id."), name ?? "message", JsonDocument.Parse(data).RootElement.Clone());
                continue;
            }
            if (line.StartsWith("id: ", StringComparison.Ordinal))
                id = long.Parse(line[4..]);
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
                name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                data = line[6..];
        }
    }

    /// <summary>Reads until <paramref name="last"/> holds and returns every event read, in order.</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> ReadUntilAsync(Func<ReceivedEvent, bool> last, TimeSpan within)
    {
        using var cancel = new CancellationTokenSource(within);
        var events = new List<ReceivedEvent>();
        while (true)
        {
            var @event = await NextAsync(cancel.Token);
            events.Add(@event);
            if (last(@event))
                return events;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
