using System.Text.Json;
using Akka.Actor;
using Workers.Actors.Tests.Manager;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Integration;

/// <summary>A manager with a plugin registry: jobs name registry ids, and run with the registry's configuration.</summary>
public sealed class PluginRegistryManagerSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private readonly RegistryFolder _folder = new();

    [Fact]
    public async Task Should_run_a_job_of_a_registry_id_on_the_plugin_it_names()
    {
        _folder.WithCatalogue(new { id = "echo-large", name = "echo", category = "text" }).WithConfig("echo-large", """{"model":"large"}""");
        var manager = await StartAsync();

        var job = await SubmitAsync(manager, "echo-large", """{"text":"hello"}""");
        var started = await NextOfJobAsync<JobStarted>(Events, job.Id);
        var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);

        Assert.Equal(("echo-large", "echo-large"), (job.PluginId, started.PluginId));
        Assert.Equal("hello", completed.Result.GetProperty("text").GetString());
        Assert.Equal("echo", (await GetWorkersAsync(manager)).Single().LoadedPlugin); // the node knows the plugin's name
    }

    [Fact]
    public async Task Should_reject_an_id_the_registry_does_not_know()
    {
        _folder.WithCatalogue(new { id = "echo-large", name = "echo" }).WithConfig("echo-large", "{}");
        var manager = await StartAsync();

        var unknown = await RejectedAsync(manager, new StartJob("echo-huge", Json("{}")));
        var byName = await RejectedAsync(manager, new StartJob("echo", Json("{}"))); // with a registry, jobs use its ids

        Assert.StartsWith("Plugin echo-huge not found", unknown);
        Assert.StartsWith("Plugin echo not found", byName);
        Assert.Empty(Launcher.Nodes);
    }

    [Fact]
    public async Task Should_reject_a_plugin_that_is_not_configured()
    {
        _folder.WithCatalogue(new { id = "echo-large", name = "echo" });
        var manager = await StartAsync();

        var reason = await RejectedAsync(manager, new StartJob("echo-large", Json("{}")));

        Assert.StartsWith("Plugin echo-large is not configured", reason);
        Assert.Contains("not configured", reason);
    }

    [Fact]
    public async Task Should_reject_a_plugin_name_that_no_assembly_provides()
    {
        _folder.WithCatalogue(new { id = "whisper-large", name = "whisper" }).WithConfig("whisper-large", """{"model":"large-v3"}""");
        var manager = await StartAsync();

        var reason = await RejectedAsync(manager, new StartJob("whisper-large", Json("{}")));

        Assert.StartsWith("Plugin whisper-large names plugin \"whisper\", which no plugin assembly provides.", reason);
        Assert.Contains("echo", reason); // the known plugins are listed
    }

    [Fact]
    public async Task Should_give_the_node_the_registry_configuration_of_the_job()
    {
        // markov builds its chain from the corpus its configuration names: its words show which configuration it got.
        var corpus = _folder.WriteFile("corpus.txt", "zebra yak. yak zebra okapi. okapi zebra yak.");
        _folder.WithCatalogue(new { id = "markov-zoo", name = "markov" })
            .WithConfig("markov-zoo", JsonSerializer.Serialize(new { corpusPath = corpus, model_id = "zoo-v1" }));
        var resources = new RecordingResourceManager();
        var manager = await StartAsync(resources);

        var job = await SubmitAsync(manager, "markov-zoo", """{"words":30,"delayMs":0,"seed":7}""");
        var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);

        var words = completed.Result.GetProperty("text").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(30, words.Length);
        Assert.All(words, word => Assert.Contains(word.TrimEnd('.'), (string[])["zebra", "yak", "okapi"]));
        var (_, running) = resources.States.First(state => state.State.Status == "running");
        Assert.Equal(("markov", "markov-zoo", "zoo-v1"), (running.PluginName, running.PluginId, running.LoadedPluginResource));
        Assert.Equal(corpus, running.Config!.Value.GetProperty("corpusPath").GetString());
    }

    [Fact]
    public async Task Should_load_the_plugin_again_when_a_job_of_another_registry_entry_needs_another_configuration()
    {
        _folder.WithCatalogue(new { id = "echo-small", name = "echo" }, new { id = "echo-large", name = "echo" })
            .WithConfig("echo-small", """{"model":"small"}""")
            .WithConfig("echo-large", """{"model":"large"}""");
        var manager = await StartAsync();

        var small = await RunEchoAsync(manager, "echo-small");
        var large = await RunEchoAsync(manager, "echo-large");
        var largeAgain = await RunEchoAsync(manager, "echo-large");

        Assert.NotEqual(small.Instance, large.Instance); // a new instance, loaded with the large configuration
        Assert.Equal(large.Instance, largeAgain.Instance); // then reused
        Assert.Equal(1, largeAgain.Loads);
        Assert.Single(Launcher.Nodes);
    }

    [Fact]
    public async Task Should_reject_a_job_whose_configuration_cannot_be_read()
    {
        _folder.WithCatalogue(new { id = "echo-broken", name = "echo" }, new { id = "echo-fine", name = "echo" })
            .WithConfig("echo-broken", """{"model": "large",""")
            .WithConfig("echo-fine", "{}");
        var manager = await StartAsync();

        manager.Tell(new StartJob("echo-broken", Json("{}")), Client.Ref);
        var reply = await Client.ReceiveOneAsync(Slow);

        var rejected = reply as JobRejected ?? throw new Xunit.Sdk.XunitException($"Expected JobRejected, got {reply?.ToString() ?? $"no reply within {Slow}"}.");
        Assert.Contains("echo-broken", rejected.Reason);
        await SubmitAsync(manager, "echo-fine"); // and the manager goes on
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Dispose();
    }

    private Task<IActorRef> StartAsync(IResourceManager? resources = null) =>
        StartManagerAsync(options => options with { PluginRegistry = _folder.Open(), ResourceManager = resources });

    private async Task<(string Instance, int Loads)> RunEchoAsync(IActorRef manager, string pluginId)
    {
        var job = await SubmitAsync(manager, pluginId);
        var metadata = (await NextOfJobAsync<JobCompleted>(Events, job.Id)).Result.GetProperty("metadata");
        return (metadata.GetProperty("instance").GetString()!, metadata.GetProperty("loads").GetInt32());
    }
}
