using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Workers.Actors.Tests.Manager;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Integration;

/// <summary>
/// The original's domain hooks (reference section 4.2): create the job, prepare the execute request, extract the
/// result, validate resources, on job completed, and the resource identifier of a configuration.
/// </summary>
public sealed class JobManagerHooksSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private readonly RegistryFolder _folder = new RegistryFolder()
        .WithCatalogue(new { id = "echo-large", name = "echo" }, new { id = "echo-bare", name = "echo" }, new { id = "fail-large", name = "fail" })
        .WithConfig("echo-large", """{"model_id":"large-v3"}""")
        .WithConfig("echo-bare", "{}")
        .WithConfig("fail-large", """{"model_id":"large-v3"}""");

    [Fact]
    public async Task Should_let_CreateJob_choose_the_id_and_add_metadata()
    {
        var hooks = new DocumentHooks();
        var manager = await StartAsync(hooks);

        var job = await SubmitAsync(manager, "echo", """{"file":"talk.wav"}""",
            new JobOptions { Metadata = new Dictionary<string, string> { ["user"] = "ann" } });

        Assert.Equal("doc-talk.wav", job.Id);
        Assert.Equal(new Dictionary<string, string> { ["user"] = "ann", ["file_name"] = "talk.wav" }, job.Metadata);
        Assert.Equal("doc-talk.wav", (await NextOfJobAsync<JobCompleted>(Events, job.Id)).JobId);
        Assert.Equal(("echo", "talk.wav"), hooks.Created.Single());
    }

    [Fact]
    public async Task Should_give_the_plugin_the_parameters_PrepareExecuteRequest_makes()
    {
        var manager = await StartAsync(new DocumentHooks());

        var job = await SubmitAsync(manager, "echo", """{"file":"talk.wav","text":"from the caller"}""");
        var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);

        // echo returns its "text": the hook set it from the job's metadata.
        Assert.Equal("transcript of talk.wav", completed.Result.GetProperty("transcript").GetString());
    }

    [Fact]
    public async Task Should_make_the_job_result_with_ExtractJobResult()
    {
        var manager = await StartAsync(new DocumentHooks());

        var job = await SubmitAsync(manager, "echo", """{"file":"talk.wav"}""");
        var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);
        var streamed = await SubmitAsync(manager, "tokens", """{"file":"stream.wav","count":3}""", new JobOptions { Stream = true });
        var streamedCompleted = await NextOfJobAsync<JobCompleted>(Events, streamed.Id);

        Assert.Equal(["transcript", "file"], completed.Result.EnumerateObject().Select(property => property.Name));
        Assert.Equal("talk.wav", completed.Result.GetProperty("file").GetString());
        Assert.Equal(completed.Result.GetRawText(), (await GetJobAsync(manager, job.Id)).Result!.Value.GetRawText());
        Assert.Equal("tok0 tok1 tok2 ", streamedCompleted.Result.GetProperty("transcript").GetString()); // a stream's text too
    }

    [Fact]
    public async Task Should_call_OnJobCompleted_once_per_completed_job_and_never_for_failed_or_cancelled_ones()
    {
        var hooks = new DocumentHooks();
        var manager = await StartAsync(hooks);

        var first = await SubmitAsync(manager, "echo", """{"file":"a.wav"}""");
        await NextOfJobAsync<JobCompleted>(Events, first.Id);
        var failed = await SubmitAsync(manager, "fail", """{"file":"b.wav"}""");
        await NextOfJobAsync<JobFailed>(Events, failed.Id);
        var cancelled = await SubmitAsync(manager, "sleep", """{"file":"c.wav","ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, cancelled.Id);
        Assert.True((await CancelAsync(manager, cancelled.Id)).Cancelled);
        var second = await SubmitAsync(manager, "echo", """{"file":"d.wav"}""");
        await NextOfJobAsync<JobCompleted>(Events, second.Id);
        await GetAllJobsAsync(manager); // the manager has finished handling the completion

        Assert.Equal([first.Id, second.Id], hooks.Completed.Select(job => job.Id));
        Assert.All(hooks.Completed, job => Assert.Equal(JobStatus.Completed, job.Status));
        Assert.Equal("a.wav", hooks.Completed.First().Result!.Value.GetProperty("file").GetString()); // the extracted result
    }

    [Fact]
    public async Task Should_reject_a_job_whose_resources_do_not_validate()
    {
        var hooks = new DelegatingHooks { Validate = (_, _) => Task.FromResult<string?>("needs 10 GB of GPU memory, 2 GB free") };
        var manager = await StartAsync(hooks, _folder.Open());

        var reason = await RejectedAsync(manager, new StartJob("echo-large", Json("{}")));

        Assert.Equal("Resource validation failed: needs 10 GB of GPU memory, 2 GB free", reason);
        Assert.Equal([("echo-large", """{"model_id":"large-v3"}""")], hooks.Validated);
        Assert.Empty(await GetAllJobsAsync(manager));
    }

    [Fact]
    public async Task Should_validate_resources_only_for_a_plugin_with_a_configuration()
    {
        var hooks = new DelegatingHooks { Validate = (_, _) => Task.FromResult<string?>("no GPU") };
        var manager = await StartAsync(hooks, _folder.Open());

        var bare = await SubmitAsync(manager, "echo-bare"); // "{}": nothing to validate, as in the original
        await NextOfJobAsync<JobCompleted>(Events, bare.Id);
        var reason = await RejectedAsync(manager, new StartJob("echo-large", Json("{}")));

        Assert.Equal("Resource validation failed: no GPU", reason);
        Assert.Equal(["echo-large"], hooks.Validated.Select(call => call.PluginId));
    }

    [Fact]
    public async Task Should_accept_a_job_once_a_slow_validation_passes_and_answer_meanwhile()
    {
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var verdict = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hooks = new DelegatingHooks
        {
            Validate = (_, _) =>
            {
                called.SetResult();
                return verdict.Task;
            },
        };
        var manager = await StartAsync(hooks, _folder.Open());

        manager.Tell(new StartJob("echo-large", Json("""{"text":"worth the wait"}""")), Client.Ref);
        await called.Task.WaitAsync(Slow);
        manager.Tell(GetAllJobs.Instance, Client.Ref);
        // Answered while the validation runs (the reply to StartJob cannot come before it: the validation is not over).
        Assert.Empty((await Client.ExpectMsgAsync<AllJobs>()).Jobs);
        verdict.SetResult(null);

        var job = (await Client.ExpectMsgAsync<JobAccepted>(Slow)).Job;
        Assert.Equal("worth the wait", (await NextOfJobAsync<JobCompleted>(Events, job.Id)).Result.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("create", "rejected", "The job could not be created: boom")]
    [InlineData("validate", "rejected", "Resource validation failed: boom")]
    [InlineData("validate-at-once", "rejected", "Resource validation failed: boom")]
    [InlineData("prepare", "failed", "The execute request could not be prepared: boom")]
    [InlineData("extract", "failed", "the job's result could not be extracted: boom")]
    [InlineData("completed", "completed", null)]
    public async Task Should_reject_or_fail_only_the_job_whose_hook_throws(string hook, string outcome, string? message)
    {
        var manager = await StartAsync(DelegatingHooks.ThrowingIn(hook), _folder.Open());

        manager.Tell(new StartJob("echo-large", Json("""{"boom":true}""")), Client.Ref);
        var reply = await Client.ReceiveOneAsync(Slow);

        switch (outcome)
        {
            case "rejected":
                var rejected = reply as JobRejected ?? throw new Xunit.Sdk.XunitException($"Expected JobRejected, got {reply?.ToString() ?? $"no reply within {Slow}"}.");
                Assert.Equal(message, rejected.Reason);
                break;
            case "failed":
                var failedJob = Assert.IsType<JobAccepted>(reply).Job;
                Assert.Equal(message, (await NextOfJobAsync<JobFailed>(Events, failedJob.Id)).Error);
                Assert.Equal(JobStatus.Failed, (await GetJobAsync(manager, failedJob.Id)).Status);
                break;
            default:
                var completedJob = Assert.IsType<JobAccepted>(reply).Job;
                await NextOfJobAsync<JobCompleted>(Events, completedJob.Id);
                Assert.Equal(JobStatus.Completed, (await GetJobAsync(manager, completedJob.Id)).Status);
                break;
        }
        // The next job, whose hooks do not throw, runs as usual (its plugin has an empty configuration: no validation).
        var next = await SubmitAsync(manager, "echo-bare", """{"text":"fine"}""");
        Assert.Equal("fine", (await NextOfJobAsync<JobCompleted>(Events, next.Id)).Result.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_answer_a_second_submission_of_an_id_CreateJob_chose_with_the_existing_job()
    {
        var manager = await StartAsync(new DocumentHooks());
        var first = await SubmitAsync(manager, "echo", """{"file":"talk.wav"}""");
        await NextOfJobAsync<JobCompleted>(Events, first.Id);

        manager.Tell(new StartJob("echo", Json("""{"file":"talk.wav"}""")), Client.Ref);
        var reply = await Client.ReceiveOneAsync(Slow);

        // As for a caller-chosen id: the same id is the same job (idempotent submit).
        var accepted = reply as JobAccepted ?? throw new Xunit.Sdk.XunitException($"Expected JobAccepted, got {reply?.ToString() ?? $"no reply within {Slow}"}.");
        Assert.Equal((first.Id, JobStatus.Completed), (accepted.Job.Id, accepted.Job.Status));
        Assert.Single(await GetAllJobsAsync(manager));
    }

    [Fact]
    public async Task Should_tell_the_resource_manager_the_resource_an_overridden_identifier_names()
    {
        var resources = new RecordingResourceManager();
        var manager = await StartAsync(new DelegatingHooks { Resource = config => $"gpu:{config.GetProperty("model_id").GetString()}" }, _folder.Open(), resources);

        var job = await SubmitAsync(manager, "echo-large");
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        Assert.Contains(resources.States, state => state.State is { Status: "running", LoadedPluginResource: "gpu:large-v3" });
    }

    [Theory]
    [InlineData("""{"resource_id":"r","model_id":"i","model":"m","model_name":"n"}""", "r")]
    [InlineData("""{"model_name":"n","model":"m","model_id":"i"}""", "i")]
    [InlineData("""{"model_name":"n","model":"m"}""", "m")]
    [InlineData("""{"model_name":"n","device":"cuda"}""", "n")]
    [InlineData("""{"device":"cuda"}""", "unknown")]
    [InlineData("{}", "unknown")]
    [InlineData("""{"resource_id":"","model_id":"i"}""", "")] // present, though empty: it still wins
    [InlineData("""{"model_id":"","model":"m"}""", "")]
    [InlineData("""{"model":7}""", "7")]
    [InlineData("""["model_id"]""", "unknown")]
    [InlineData("\"large\"", "unknown")]
    public void Should_name_the_resource_of_a_configuration_by_precedence(string config, string resource)
    {
        Assert.Equal(resource, new JobManagerHooks().ExtractPluginResourceIdentifier(Json(config)));
    }

    [Fact]
    public async Task Should_keep_everything_as_it_is_by_default()
    {
        var hooks = new JobManagerHooks();
        var options = new JobOptions { JobId = "x", Priority = 3 };
        var parameters = Json("""{"text":"hi"}""");
        var job = new JobSnapshot("x", "echo", JobStatus.Running, DateTimeOffset.UnixEpoch, null, null, null, null,
            ImmutableDictionary<string, string>.Empty, null, null);

        Assert.Same(options, hooks.CreateJob("echo", parameters, options));
        Assert.Equal(parameters.GetRawText(), hooks.PrepareExecuteRequest(job, parameters).GetRawText());
        Assert.Equal(parameters.GetRawText(), hooks.ExtractJobResult(job, parameters).GetRawText());
        Assert.Null(await hooks.ValidateResourcesAsync("echo", Json("""{"model":"m"}""")));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Dispose();
    }

    private Task<IActorRef> StartAsync(JobManagerHooks hooks, IPluginRegistry? registry = null, IResourceManager? resources = null) =>
        StartManagerAsync(options => options with { Hooks = hooks, PluginRegistry = registry, ResourceManager = resources });

    /// <summary>
    /// A domain manager's hooks: the job id and metadata come from the document's file name, the plugin's text is
    /// made from it, and the result is reshaped into a transcript.
    /// </summary>
    private sealed class DocumentHooks : JobManagerHooks
    {
        public ConcurrentQueue<(string PluginId, string File)> Created { get; } = new();
        public ConcurrentQueue<JobSnapshot> Completed { get; } = new();

        public override JobOptions CreateJob(string pluginId, JsonElement parameters, JobOptions options)
        {
            var file = parameters.GetProperty("file").GetString()!;
            Created.Enqueue((pluginId, file));
            var metadata = new Dictionary<string, string>(options.Metadata ?? new Dictionary<string, string>()) { ["file_name"] = file };
            return options with { JobId = $"doc-{file}", Metadata = metadata };
        }

        public override JsonElement PrepareExecuteRequest(JobSnapshot job, JsonElement parameters) =>
            With(parameters, [new("text", $"transcript of {job.Metadata["file_name"]}")]);

        public override JsonElement ExtractJobResult(JobSnapshot job, JsonElement resultData) =>
            JsonSerializer.SerializeToElement(new { transcript = resultData.GetProperty("text").GetString(), file = job.Metadata["file_name"] });

        public override void OnJobCompleted(JobSnapshot job) => Completed.Enqueue(job);
    }

    /// <summary>Hooks whose behaviour each test chooses; the rest keep the defaults.</summary>
    private sealed class DelegatingHooks : JobManagerHooks
    {
        public Func<string, JsonElement, Task<string?>>? Validate { get; init; }
        public Func<JsonElement, string>? Resource { get; init; }
        public Func<string, JsonElement, JobOptions, JobOptions>? Create { get; init; }
        public Func<JobSnapshot, JsonElement, JsonElement>? Prepare { get; init; }
        public Func<JobSnapshot, JsonElement, JsonElement>? Extract { get; init; }
        public Action<JobSnapshot>? Completed { get; init; }
        public bool ValidateThrowsAtOnce { get; init; }
        public ConcurrentQueue<(string PluginId, string Config)> Validated { get; } = new();

        /// <summary>Throws "boom" from <paramref name="hook"/> for jobs whose parameters say <c>"boom": true</c>.</summary>
        public static DelegatingHooks ThrowingIn(string hook)
        {
            static bool Boom(JsonElement parameters) => parameters.TryGetProperty("boom", out var boom) && boom.GetBoolean();
            return hook switch
            {
                "create" => new() { Create = (_, parameters, options) => Boom(parameters) ? throw new InvalidOperationException("boom") : options },
                "validate" => new() { Validate = (_, _) => Task.FromException<string?>(new InvalidOperationException("boom")) },
                "validate-at-once" => new() { ValidateThrowsAtOnce = true },
                "prepare" => new() { Prepare = (_, parameters) => Boom(parameters) ? throw new InvalidOperationException("boom") : parameters },
                "extract" => new() { Extract = (_, result) => result.GetProperty("text").GetString() == "" ? throw new InvalidOperationException("boom") : result },
                "completed" => new() { Completed = _ => throw new InvalidOperationException("boom") },
                _ => throw new ArgumentOutOfRangeException(nameof(hook), hook, null),
            };
        }

        public override JobOptions CreateJob(string pluginId, JsonElement parameters, JobOptions options) =>
            Create?.Invoke(pluginId, parameters, options) ?? options;

        public override JsonElement PrepareExecuteRequest(JobSnapshot job, JsonElement parameters) =>
            Prepare?.Invoke(job, parameters) ?? parameters;

        public override JsonElement ExtractJobResult(JobSnapshot job, JsonElement resultData) =>
            Extract?.Invoke(job, resultData) ?? resultData;

        // Not async on purpose for "validate-at-once": a hook may throw before it returns a task.
        public override ValueTask<string?> ValidateResourcesAsync(string pluginId, JsonElement pluginConfig)
        {
            Validated.Enqueue((pluginId, pluginConfig.GetRawText()));
            if (ValidateThrowsAtOnce)
                throw new InvalidOperationException("boom");
            return Validate is null ? ValueTask.FromResult<string?>(null) : new ValueTask<string?>(Validate(pluginId, pluginConfig));
        }

        public override void OnJobCompleted(JobSnapshot job) => Completed?.Invoke(job);

        public override string ExtractPluginResourceIdentifier(JsonElement config) =>
            Resource?.Invoke(config) ?? base.ExtractPluginResourceIdentifier(config);
    }
}
