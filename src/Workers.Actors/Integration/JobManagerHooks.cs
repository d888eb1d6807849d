using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workers.Actors;

/// <summary>
/// The domain hooks of the original library's job manager, for a manager that knows its domain (a transcription
/// manager that records file names, a generation manager that post-processes results). Derive, override what you
/// need and pass an instance as <see cref="JobManagerOptions.Hooks"/>. Every hook but
/// <see cref="ValidateResourcesAsync"/> runs on the manager's thread: keep it quick and never block in it. An
/// exception from a hook fails (or rejects) the job it was about, with the exception's message.
/// </summary>
public class JobManagerHooks
{
    /// <summary>
    /// Shapes a new job before it is queued: choose its id, add metadata. Returning the options unchanged (the
    /// default) keeps the caller's.
    /// </summary>
    public virtual JobOptions CreateJob(string pluginId, JsonElement parameters, JobOptions options) => options;

    /// <summary>The parameters the node receives for the job; by default the job's own parameters.</summary>
    public virtual JsonElement PrepareExecuteRequest(JobSnapshot job, JsonElement parameters) => parameters;

    /// <summary>The job's result from what the plugin returned; by default that data as it is.</summary>
    public virtual JsonElement ExtractJobResult(JobSnapshot job, JsonElement resultData) => resultData;

    /// <summary>
    /// Checks, before the job is accepted, that its plugin can run (enough GPU memory, model files present). Return
    /// null to accept, or a message to reject the job with "Resource validation failed: {message}". Called only when
    /// the plugin has a configuration, off the manager's thread.
    /// </summary>
    public virtual ValueTask<string?> ValidateResourcesAsync(string pluginId, JsonElement pluginConfig) => ValueTask.FromResult<string?>(null);

    /// <summary>
    /// Called after a job completed successfully (not on failure or cancel), with its <see cref="JobCompleted"/> event.
    /// With a job store, only once the store has the job's end: a completion seen here is not undone by a restart.
    /// </summary>
    public virtual void OnJobCompleted(JobSnapshot job)
    {
    }

    /// <summary>
    /// Which resource a plugin configuration loads: the first of <c>resource_id</c>, <c>model_id</c>, <c>model</c>,
    /// <c>model_name</c> that is present (even if empty), else "unknown".
    /// </summary>
    public virtual string ExtractPluginResourceIdentifier(JsonElement config)
    {
        if (config.ValueKind == JsonValueKind.Object)
        {
            foreach (var key in (ReadOnlySpan<string>)["resource_id", "model_id", "model", "model_name"])
            {
                if (config.TryGetProperty(key, out var value))
                    return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }
        }
        return "unknown";
    }

    /// <summary>Adds or replaces properties of a JSON object: a helper for <see cref="PrepareExecuteRequest"/> overrides.</summary>
    protected static JsonElement With(JsonElement parameters, IEnumerable<KeyValuePair<string, object?>> extra)
    {
        var node = parameters.ValueKind == JsonValueKind.Object ? JsonObject.Create(parameters)! : [];
        foreach (var (key, value) in extra)
            node[key] = JsonSerializer.SerializeToNode(value);
        return JsonSerializer.SerializeToElement(node);
    }
}
