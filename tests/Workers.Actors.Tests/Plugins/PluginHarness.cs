using System.Text;
using System.Text.Json;
using Workers.Plugins;

namespace Workers.Actors.Tests.Plugins;

/// <summary>Runs plugins directly, the way a worker node does, without a node.</summary>
internal static class PluginHarness
{
    public const string WorkerId = "worker-test";

    public static async Task<T> LoadedAsync<T>(string config = "{}") where T : IWorkerPlugin, new()
    {
        var plugin = new T();
        await plugin.LoadAsync(JsonDocument.Parse(config).RootElement, CancellationToken.None);
        return plugin;
    }

    public static JobContext Context(
        string parameters = "{}",
        List<double>? progress = null,
        CancellationToken cancellationToken = default,
        string jobId = "job-1") =>
        new(
            jobId,
            JsonDocument.Parse(parameters).RootElement,
            WorkerId,
            Environment.ProcessId,
            (fraction, _) => progress?.Add(fraction),
            cancellationToken);

    /// <summary>The result as the node would send it: System.Text.Json with camelCase names.</summary>
    public static JsonElement ToJson(object? result) =>
        JsonSerializer.SerializeToElement(result, new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static async Task<List<string>> StreamAsync(IStreamingWorkerPlugin plugin, JobContext context)
    {
        var chunks = new List<string>();
        await foreach (var chunk in plugin.StreamAsync(context))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    public static string Joined(IEnumerable<string> chunks) =>
        chunks.Aggregate(new StringBuilder(), (text, chunk) => text.Append(chunk)).ToString();
}
