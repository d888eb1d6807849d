using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Workers.Dashboard;

/// <summary>Writes <c>/healthz</c> as JSON: <c>{ status, description, slots, usable, busy }</c> (200 healthy, 503 otherwise).</summary>
internal static class DashboardHealth
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var entry = report.Entries.Values.FirstOrDefault();
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString().ToLowerInvariant(),
            ["description"] = entry.Description,
        };
        foreach (var (key, value) in entry.Data ?? new Dictionary<string, object>())
            body[key] = value;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
