using System.Collections.Immutable;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Workers.Actors.Tests.Manager;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Integration;

/// <summary>
/// The README's "Integrating with your application" example, compiled and run: <see cref="TranscriptionHooks"/> is the
/// README's code, here run against in-process nodes with the <c>echo</c> plugin standing in for a speech model.
/// </summary>
public sealed class TranscriptionHooksExampleSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private const int FreeGpuMemoryMb = 4096;

    private readonly RegistryFolder _folder = new RegistryFolder()
        .WithCatalogue(
            new { id = "whisper-small", name = "echo", category = "transcription" },
            new { id = "whisper-large", name = "echo", category = "transcription" })
        .WithConfig("whisper-small", """{"model_id":"small","memory_mb":1000}""")
        .WithConfig("whisper-large", """{"model_id":"large-v3","memory_mb":10000}""");

    private readonly Channel<JobSnapshot> _finished = Channel.CreateUnbounded<JobSnapshot>();

    [Fact]
    public async Task Should_record_the_file_pass_its_path_and_shape_the_result()
    {
        var manager = await StartAsync();

        // The application's parameters name the file; "text" lets echo show that the job ran.
        var reply = await manager.StartTranscriptionAsync("whisper-small", "/data/talks/keynote.wav", new { text = "hello world" });
        var job = Assert.IsType<JobAccepted>(reply).Job;
        var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);

        Assert.Equal("keynote.wav", job.Metadata["file_name"]);
        Assert.Equal("/data/talks/keynote.wav", job.Metadata["file_path"]);
        Assert.Equal(["file_name", "text", "metadata"], completed.Result.EnumerateObject().Select(property => property.Name));
        Assert.Equal("keynote.wav", completed.Result.GetProperty("file_name").GetString());
        Assert.Equal("hello world", completed.Result.GetProperty("text").GetString());
        var saved = await _finished.Reader.ReadAsync().AsTask().WaitAsync(Slow); // OnJobCompleted handed it on
        Assert.Equal((job.Id, JobStatus.Completed), (saved.Id, saved.Status));
    }

    [Fact]
    public void Should_give_the_plugin_the_audio_path()
    {
        var hooks = new TranscriptionHooks(() => ValueTask.FromResult(FreeGpuMemoryMb), _finished.Writer);
        var job = new JobSnapshot("job-1", "whisper-small", JobStatus.Pending, DateTimeOffset.UnixEpoch, null, null, null, null,
            ImmutableDictionary<string, string>.Empty.Add("file_path", "/data/a.wav").Add("file_name", "a.wav"), null, null);

        var request = hooks.PrepareExecuteRequest(job, Json("""{"file_path":"/data/a.wav","language":"en"}"""));

        Assert.Equal("""{"file_path":"/data/a.wav","language":"en","audio_path":"/data/a.wav"}""", request.GetRawText());
    }

    [Fact]
    public async Task Should_reject_a_model_that_does_not_fit_in_the_free_gpu_memory()
    {
        var manager = await StartAsync();

        var reply = await manager.StartTranscriptionAsync("whisper-large", "/data/talks/keynote.wav");

        Assert.Equal(
            "Resource validation failed: whisper-large needs 10000 MB of GPU memory; 4096 MB are free.",
            Assert.IsType<JobRejected>(reply).Reason);
    }

    [Fact]
    public void Should_wire_with_WithWorkers()
    {
        // What the application has: a WebApplicationBuilder (its Services), a resource manager, a GPU probe, channels.
        var builder = new { Services = new ServiceCollection() };
        var pluginsFolder = _folder.Root;
        IResourceManager resources = new RecordingResourceManager();
        var gpu = new FakeGpu(FreeGpuMemoryMb);
        var sse = Channel.CreateUnbounded<string>();
        var finished = Channel.CreateUnbounded<JobSnapshot>();

        // ---- as in the README ----
        builder.Services.AddAkka("app", akka => akka.WithWorkers(new JobManagerOptions
        {
            WorkerType = "transcription",
            Category = "transcription",
            PluginAssemblies = ["MyPlugins.dll"],
            PluginRegistry = new JsonFilePluginRegistry(pluginsFolder),   // the folder above
            ResourceManager = resources,                       // your IResourceManager
            EventBroadcaster = new SseBroadcaster(sse.Writer), // sse: a Channel<string> your SSE endpoint reads
            Hooks = new TranscriptionHooks(gpu.FreeMemoryMbAsync, finished.Writer),   // finished: read by a saver service
        }));
        // ----

        // Resolving the builder runs the configuration: WithWorkers, its validation of the options, the node's lookup.
        using var provider = builder.Services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<AkkaConfigurationBuilder>());
    }

    [Fact]
    public async Task Should_write_events_as_server_sent_events()
    {
        var sse = Channel.CreateUnbounded<string>();

        await new SseBroadcaster(sse.Writer).BroadcastAsync("transcription:queued", new JobQueued("job-1", "whisper-large"));

        Assert.Equal("event: transcription:queued\ndata: {\"jobId\":\"job-1\",\"pluginId\":\"whisper-large\"}\n\n", await sse.Reader.ReadAsync());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Dispose();
    }

    private JobManagerOptions Options() => new()
    {
        WorkerType = "transcription",
        Category = "transcription",
        PluginAssemblies = ["Workers.Plugins.Samples.dll"],
        PluginRegistry = new JsonFilePluginRegistry(_folder.Root),
        Hooks = new TranscriptionHooks(() => ValueTask.FromResult(FreeGpuMemoryMb), _finished.Writer),
        NodeLauncher = Launcher,
        Store = JobStoreOptions.InMemory,
    };

    private async Task<IActorRef> StartAsync()
    {
        var manager = Sys.ActorOf(JobManagerActor.Props(Options()), JobManagerActor.ActorName("transcription"));
        manager.Tell(new SubscribeToJobEvents(Events.Ref), Client.Ref);
        await Client.ExpectMsgAsync<SubscribedToJobEvents>();
        return manager;
    }

    private sealed class FakeGpu(int freeMb)
    {
        public ValueTask<int> FreeMemoryMbAsync() => ValueTask.FromResult(freeMb);
    }
}

// ---- The README's example, as it is there ----

/// <summary>
/// The domain of a transcription manager: a job is about an audio file, the plugin wants its path as
/// <c>audio_path</c>, the result names the file, and a model must fit in the free GPU memory before a job is accepted.
/// </summary>
public sealed class TranscriptionHooks(Func<ValueTask<int>> freeGpuMemoryMb, ChannelWriter<JobSnapshot> finished) : JobManagerHooks
{
    public override JobOptions CreateJob(string pluginId, JsonElement parameters, JobOptions options)
    {
        var path = parameters.GetProperty("file_path").GetString()!;
        return options with
        {
            Metadata = new Dictionary<string, string>(options.Metadata ?? ImmutableDictionary<string, string>.Empty)
            {
                ["file_path"] = path,
                ["file_name"] = Path.GetFileName(path),
            },
        };
    }

    public override JsonElement PrepareExecuteRequest(JobSnapshot job, JsonElement parameters) =>
        With(parameters, [new("audio_path", job.Metadata["file_path"])]);

    public override JsonElement ExtractJobResult(JobSnapshot job, JsonElement resultData) =>
        JsonSerializer.SerializeToElement(new
        {
            file_name = job.Metadata["file_name"],
            text = resultData.GetProperty("text").GetString(),
            metadata = resultData.TryGetProperty("metadata", out var metadata) ? metadata : default(JsonElement?),
        });

    // Called only for a plugin that has a configuration, off the manager's thread: it may take its time.
    public override async ValueTask<string?> ValidateResourcesAsync(string pluginId, JsonElement pluginConfig)
    {
        var needed = pluginConfig.TryGetProperty("memory_mb", out var mb) ? mb.GetInt32() : 0;
        var free = await freeGpuMemoryMb();
        return needed <= free ? null : $"{pluginId} needs {needed} MB of GPU memory; {free} MB are free.";
    }

    // On the manager's thread: hand the job on (to a saver, a notifier), never do slow work here.
    public override void OnJobCompleted(JobSnapshot job) => finished.TryWrite(job);
}

public sealed class SseBroadcaster(ChannelWriter<string> clients) : IEventBroadcaster
{
    public Task BroadcastAsync(string eventType, object data) =>
        clients.WriteAsync($"event: {eventType}\ndata: {JsonSerializer.Serialize(data, data.GetType(), JsonSerializerOptions.Web)}\n\n").AsTask();
}

public static class TranscriptionManager
{
    /// <summary>The original's <c>start_transcription(plugin_id, file_path)</c>: answers JobAccepted or JobRejected.</summary>
    public static Task<object> StartTranscriptionAsync(this IActorRef manager, string pluginId, string filePath, object? extra = null)
    {
        var parameters = JsonSerializer.SerializeToNode(extra ?? new { })!.AsObject();
        parameters["file_path"] = filePath;
        return manager.Ask<object>(new StartJob(pluginId, JsonSerializer.SerializeToElement(parameters)), TimeSpan.FromSeconds(30));
    }
}
