using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Workers.Actors;

namespace Workers.Dashboard;

/// <summary>The HTTP API: each endpoint is one message to the job manager, and its reply as JSON.</summary>
internal static class JobsApi
{
    private static readonly TimeSpan Reply = TimeSpan.FromSeconds(10);

    public static void MapJobsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/jobs", StartJobAsync);
        api.MapGet("/jobs", async (IRequiredActor<JobManagerActor> manager) =>
            (await Ask<AllJobs>(manager, GetAllJobs.Instance)).Jobs);
        api.MapGet("/jobs/{id}", async (string id, IRequiredActor<JobManagerActor> manager) =>
            (await Ask<JobInfo>(manager, new GetJob(id))).Job is { } job
                ? Results.Ok(job)
                : NotFound(id));
        api.MapPost("/jobs/{id}/cancel", CancelJobAsync);
        api.MapDelete("/jobs/completed", async (IRequiredActor<JobManagerActor> manager) =>
            Results.Ok(new { cleared = (await Ask<CompletedJobsCleared>(manager, ClearCompletedJobs.Instance)).Count }));
        api.MapGet("/workers", async (IRequiredActor<JobManagerActor> manager) =>
            (await Ask<WorkersInfo>(manager, GetWorkers.Instance)).Workers);
        api.MapGet("/plugins", () => DashboardSettings.PluginNames);
        api.MapPost("/plugins/{name}/reload", ReloadPluginAsync);
        api.MapPost("/plugins/{name}/unload", async (string name, IRequiredActor<JobManagerActor> manager) =>
            PluginResult(await Ask<PluginCommandResult>(manager, new UnloadPlugin(name), TimeSpan.FromSeconds(30))));
    }

    private static async Task<IResult> StartJobAsync(HttpRequest request, IRequiredActor<JobManagerActor> manager)
    {
        StartJobRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<StartJobRequest>(request.Body, JsonSerializerOptions.Web, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message}");
        }
        if (body is null || string.IsNullOrWhiteSpace(body.PluginId))
            return Error(StatusCodes.Status400BadRequest, "pluginId is required.");
        if (body.TimeoutSeconds is <= 0)
            return Error(StatusCodes.Status400BadRequest, "timeoutSeconds must be positive.");

        var options = new JobOptions
        {
            Stream = body.Stream,
            Priority = body.Priority,
            Timeout = body.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            JobId = string.IsNullOrWhiteSpace(body.JobId) ? null : body.JobId,
            Metadata = body.Metadata,
        };
        var reply = await Ask<object>(manager, new StartJob(body.PluginId, body.Parameters ?? default, options));
        return reply switch
        {
            JobAccepted accepted => Results.Json(accepted.Job, statusCode: StatusCodes.Status202Accepted),
            JobRejected rejected => Error(RejectionStatus(rejected.Kind), rejected.Reason),
            _ => throw new InvalidOperationException($"Unexpected reply {reply}"),
        };
    }

    private static async Task<IResult> CancelJobAsync(string id, IRequiredActor<JobManagerActor> manager)
    {
        if ((await Ask<JobInfo>(manager, new GetJob(id))).Job is not { } job)
            return NotFound(id);
        if (job.IsTerminal)
            return Error(StatusCodes.Status409Conflict, $"Job \"{id}\" is already {job.Status.ToString().ToLowerInvariant()}.");
        // A running job is answered once its node process is gone.
        var result = await Ask<CancelJobResult>(manager, new CancelJob(id), TimeSpan.FromSeconds(30));
        return result.Cancelled
            ? Results.Ok(new { cancelled = true })
            : Error(StatusCodes.Status409Conflict, result.Reason ?? $"Job \"{id}\" could not be cancelled.");
    }

    private static async Task<IResult> ReloadPluginAsync(string name, HttpRequest request, IRequiredActor<JobManagerActor> manager)
    {
        JsonElement config;
        try
        {
            using var document = request.ContentLength is 0 ? null : await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            config = document?.RootElement.Clone() ?? JsonSerializer.SerializeToElement(new { });
        }
        catch (JsonException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message}");
        }
        if (config.ValueKind != JsonValueKind.Object)
            return Error(StatusCodes.Status400BadRequest, "The body must be the plugin's configuration, a JSON object.");
        return PluginResult(await Ask<PluginCommandResult>(manager, new ReloadPlugin(name, config), TimeSpan.FromSeconds(60)));
    }

    private static IResult PluginResult(PluginCommandResult result) =>
        Results.Json(new { pluginName = result.PluginName, success = result.Success, error = result.Error },
            statusCode: result.Success ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);

    private static int RejectionStatus(JobRejectionKind kind) => kind switch
    {
        JobRejectionKind.QueueFull => StatusCodes.Status429TooManyRequests,
        JobRejectionKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    private static IResult NotFound(string id) => Error(StatusCodes.Status404NotFound, $"Unknown job \"{id}\".");

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<T> Ask<T>(IRequiredActor<JobManagerActor> manager, object message, TimeSpan? timeout = null) =>
        await (await manager.GetAsync()).Ask<T>(message, timeout ?? Reply);

    /// <summary>The body of <c>POST /api/jobs</c>.</summary>
    private sealed record StartJobRequest(
        string? PluginId,
        JsonElement? Parameters,
        bool Stream,
        int Priority,
        double? TimeoutSeconds,
        string? JobId,
        Dictionary<string, string>? Metadata);
}
