using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workers.WorkerNode;

/// <summary>
/// Turns what a plugin returned into the JSON result of the job, as the original library's default adapter does:
/// JSON stays JSON, text becomes <c>{"text": …}</c>, and other objects are serialized (camelCase).
/// </summary>
internal static class ResultAdapter
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string ToJson(object? result) => result switch
    {
        null => "{}",
        JsonElement element => element.GetRawText(),
        JsonDocument document => document.RootElement.GetRawText(),
        JsonNode node => node.ToJsonString(),
        string text => JsonSerializer.Serialize(new { text }, Options),
        _ => JsonSerializer.Serialize(result, result.GetType(), Options),
    };
}
