using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Workers.AspNetCore;

/// <summary>Registration of the server-sent events endpoint.</summary>
public static class WorkersEventsEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Registers one <see cref="SseEventBroadcaster"/> as a singleton. Give it to each manager as
    /// <c>JobManagerOptions.EventBroadcaster</c> (with Akka.Hosting: <c>AddAkka("app", (akka, services) =>
    /// akka.WithWorkers(new JobManagerOptions { EventBroadcaster = services.GetRequiredService&lt;SseEventBroadcaster&gt;(), … }))</c>).
    /// </summary>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddWorkersEvents(this IServiceCollection services, int replayBuffer = 2048, int clientBuffer = 4096)
    {
        services.TryAddSingleton(_ => new SseEventBroadcaster(replayBuffer, clientBuffer));
        return services;
    }

    /// <summary>
    /// Maps <c>GET {pattern}</c> (default <c>/api/events</c>) to a <c>text/event-stream</c> of every event the
    /// registered <see cref="SseEventBroadcaster"/> receives, each with its <c>id:</c>. A request with a
    /// <c>Last-Event-ID</c> header (or a <c>lastEventId</c> query parameter) first gets the events it missed that are still
    /// in the replay buffer. A comment line is sent every 15 s so that proxies keep the connection and dead clients are
    /// noticed. The stream ends when the client leaves, falls too far behind, or the application stops.
    /// </summary>
    public static IEndpointConventionBuilder MapWorkersEvents(this IEndpointRouteBuilder endpoints, string pattern = "/api/events") =>
        endpoints.MapGet(pattern, StreamAsync);

    private static async Task StreamAsync(HttpContext context, SseEventBroadcaster broadcaster, IHostApplicationLifetime lifetime)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        using var subscription = broadcaster.Subscribe(LastEventId(context.Request));
        var text = new StringBuilder();
        try
        {
            text.Append("retry: 1000\n\n");
            foreach (var @event in subscription.Replay)
                Append(text, @event);
            await WriteAsync(response, text, cancel.Token);

            var reader = subscription.Events;
            while (!cancel.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
                idle.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    text.Append(": keep-alive\n\n");
                    await WriteAsync(response, text, cancel.Token);
                    continue;
                }
                if (!more)
                    break;
                // Everything waiting goes out in one write and one flush: a fast stream costs few syscalls.
                while (reader.TryRead(out var @event))
                    Append(text, @event);
                await WriteAsync(response, text, cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left or the application is stopping.
        }
        catch (SseClientTooSlowException)
        {
            // Disconnected for being too slow; an EventSource reconnects and resumes from the replay buffer.
        }
    }

    private static long? LastEventId(HttpRequest request)
    {
        var value = request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(value))
            value = request.Query["lastEventId"].ToString();
        return long.TryParse(value, out var id) && id >= 0 ? id : null;
    }

    private static void Append(StringBuilder text, SseEvent @event) =>
        // The data is single-line JSON (the serializer escapes newlines inside strings), so one data: line is enough.
        text.Append("id: ").Append(@event.Id).Append('\n')
            .Append("event: ").Append(@event.Name).Append('\n')
            .Append("data: ").Append(@event.Data).Append("\n\n");

    private static async Task WriteAsync(HttpResponse response, StringBuilder text, CancellationToken cancel)
    {
        if (text.Length == 0)
            return;
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        text.Clear();
        await response.Body.WriteAsync(bytes, cancel);
        await response.Body.FlushAsync(cancel);
    }
}
