using System.Runtime.InteropServices;
using System.Text.Json;

namespace Workers.Actors.Manager;

/// <summary>The rules a submission must pass before it becomes a job. Each rejection says what to change.</summary>
internal static class JobSubmission
{
    public const int MaxJobIdLength = 200;

    /// <summary>Returns why the job cannot be accepted, or null when it can.</summary>
    /// <remarks>Whether the plugin exists is <see cref="PluginResolver"/>'s question.</remarks>
    public static string? Reject(StartJob command, int pendingCount, WorkerConfig config) =>
        Invalid(command) ?? QueueFull(pendingCount, config);

    /// <summary>What is wrong with the submission itself, or null.</summary>
    /// <param name="maxParametersBytes">
    /// the most a job's parameters may take as UTF-8 JSON: what one message to a node carries (see <see cref="WireLimits"/>)
    /// </param>
    public static string? Invalid(StartJob command, long maxParametersBytes = long.MaxValue)
    {
        if (string.IsNullOrWhiteSpace(command.PluginId))
            return "PluginId is required.";
        if (command.Parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
            return $"Parameters must be a JSON object (or omitted), got {command.Parameters.ValueKind}.";
        if (command.Parameters.ValueKind == JsonValueKind.Object && JsonMarshal.GetRawUtf8Value(command.Parameters).Length is var bytes
            && bytes > maxParametersBytes)
            return $"Parameters are {bytes:N0} bytes of JSON, more than the {maxParametersBytes:N0} bytes a job can take to its worker node. "
                + "Pass large inputs by reference (a file path or a URL), or raise akka.remote.dot-netty.tcp.maximum-frame-size on the manager and its nodes.";
        if (command.Options?.JobId is { } id && (id.Length is 0 or > MaxJobIdLength || id.Any(char.IsControl)))
            return $"JobId must be 1 to {MaxJobIdLength} printable characters.";
        if (command.Options?.Timeout is { } timeout && timeout <= TimeSpan.Zero)
            return $"Timeout must be positive, got {timeout}.";
        return null;
    }

    /// <summary>Why there is no room for another pending job, or null.</summary>
    public static string? QueueFull(int pendingCount, WorkerConfig config) =>
        config.RequestQueueSize > 0 && pendingCount >= config.RequestQueueSize
            ? $"The queue is full: {pendingCount} jobs are pending (WorkerConfig.RequestQueueSize = {config.RequestQueueSize}). Retry later or raise the limit."
            : null;

    /// <summary>The parameters as the JSON text sent to the node: always an object.</summary>
    public static string ParametersJson(JsonElement parameters) =>
        parameters.ValueKind == JsonValueKind.Object ? parameters.GetRawText() : "{}";
}
