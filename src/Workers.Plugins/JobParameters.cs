using System.Text.Json;

namespace Workers.Plugins;

/// <summary>Typed reads of a job's JSON parameters with messages that name the parameter.</summary>
public static class JobParameters
{
    /// <summary>Reads an optional string; throws <see cref="ArgumentException"/> if present with another type.</summary>
    public static string GetString(this JobContext context, string name, string defaultValue) =>
        Find(context.Parameters, name) is { } value
            ? value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new ArgumentException($"Parameter '{name}' must be a string, got {value.ValueKind}.", name)
            : defaultValue;

    /// <summary>Reads a required string.</summary>
    public static string GetRequiredString(this JobContext context, string name) =>
        Find(context.Parameters, name) is not null
            ? context.GetString(name, "")
            : throw new ArgumentException($"Parameter '{name}' is required.", name);

    /// <summary>Reads an optional integer; throws <see cref="ArgumentException"/> if present and not an integer.</summary>
    public static long GetInt64(this JobContext context, string name, long defaultValue) =>
        Find(context.Parameters, name) is { } value
            ? value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
                ? number
                : throw new ArgumentException($"Parameter '{name}' must be an integer, got {value}.", name)
            : defaultValue;

    /// <summary>Reads an optional number.</summary>
    public static double GetDouble(this JobContext context, string name, double defaultValue) =>
        Find(context.Parameters, name) is { } value
            ? value.ValueKind == JsonValueKind.Number
                ? value.GetDouble()
                : throw new ArgumentException($"Parameter '{name}' must be a number, got {value}.", name)
            : defaultValue;

    private static JsonElement? Find(JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object
        && parameters.TryGetProperty(name, out var value)
        && value.ValueKind != JsonValueKind.Null
            ? value
            : null;
}
