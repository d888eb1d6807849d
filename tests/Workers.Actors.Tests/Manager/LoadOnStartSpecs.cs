using System.Collections.Immutable;
using System.Text.Json;
using Workers.Actors.Tests.Integration;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>
/// WorkerConfig.LoadPluginsOnStart: a node loads the configured plugins when it registers, before its first job, as the
/// original library's workers do at their start; other plugins load on their first job.
/// </summary>
public sealed class LoadOnStartSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private readonly RegistryFolder _folder = new();

    [Fact]
    public async Task Should_load_the_configured_registry_plugins_before_the_first_job()
    {
        var corpus = _folder.WriteFile("corpus.txt", "zebra yak. yak zebra okapi.");
        _folder.WithCatalogue(
                new { id = "echo-large", name = "echo", category = "text" },
                new { id = "markov-zoo", name = "markov", category = "text" },
                new { id = "tokens-unset", name = "tokens", category = "text" },
                new { id = "sleep-other", name = "sleep", category = "images" })
            .WithConfig("echo-large", """{"model":"large"}""")
            .WithConfig("markov-zoo", JsonSerializer.Serialize(new { corpusPath = corpus }))
            .WithConfig("sleep-other", "{}");
        var manager = await StartManagerAsync(options => options with { PluginRegistry = _folder.Open(), Category = "text" });

        var job = await SubmitAsync(manager, "echo-large", """{"text":"hi"}""");
        var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);

        // The node ran what it was given in order: the loads came before the job, so they are done by its end.
        var node = Launcher.Nodes.Single();
        Assert.True(node.HasLoaded("markov"), "markov is configured in the manager's category: loaded at the node's start");
        Assert.False(node.HasLoaded("tokens"), "tokens has no configuration");
        Assert.False(node.HasLoaded("sleep"), "sleep is configured in another category");
        Assert.Equal(1, completed.Result.GetProperty("metadata").GetProperty("loads").GetInt32()); // echo loaded once, at the start
        Assert.Equal("echo", (await GetWorkersAsync(manager)).Single().LoadedPlugin); // the slot shows its job's plugin, not the last loaded
    }

    [Fact]
    public async Task Should_load_plugins_only_on_their_first_job_when_turned_off()
    {
        var corpus = _folder.WriteFile("corpus.txt", "zebra yak. yak zebra okapi.");
        _folder.WithCatalogue(new { id = "echo-large", name = "echo" }, new { id = "markov-zoo", name = "markov" })
            .WithConfig("echo-large", "{}")
            .WithConfig("markov-zoo", JsonSerializer.Serialize(new { corpusPath = corpus }));
        var manager = await StartManagerAsync(options => options with
        {
            PluginRegistry = _folder.Open(),
            Worker = new WorkerConfig { LoadPluginsOnStart = false },
        });

        var job = await SubmitAsync(manager, "echo-large");
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        Assert.False(Launcher.Nodes.Single().HasLoaded("markov"));
    }

    [Fact]
    public async Task Should_start_a_node_whose_configured_plugin_fails_to_load_and_fail_only_that_plugin_s_jobs()
    {
        var missing = Path.Combine(_folder.Root, "no-such-corpus.txt");
        _folder.WithCatalogue(new { id = "echo-large", name = "echo" }, new { id = "markov-gone", name = "markov" })
            .WithConfig("echo-large", "{}")
            .WithConfig("markov-gone", JsonSerializer.Serialize(new { corpusPath = missing }));
        var manager = await StartManagerAsync(options => options with { PluginRegistry = _folder.Open() });

        var echo = await SubmitAsync(manager, "echo-large");
        var markov = await SubmitAsync(manager, "markov-gone", """{"words":3}""");

        await NextOfJobAsync<JobCompleted>(Events, echo.Id);
        var failed = await NextOfJobAsync<JobFailed>(Events, markov.Id);
        Assert.Contains("no-such-corpus.txt", failed.Error); // its job loads it again, and says why it cannot
        Assert.Single(Launcher.Nodes); // the node stayed up through both
    }

    [Fact]
    public async Task Should_load_the_plugins_configured_without_a_registry_on_a_warm_spare()
    {
        var corpus = _folder.WriteFile("corpus.txt", "zebra yak. yak zebra okapi.");
        await StartManagerAsync(options => options with
        {
            PluginConfigs = ImmutableDictionary<string, JsonElement>.Empty.Add("markov", Json(JsonSerializer.Serialize(new { corpusPath = corpus }))),
            Worker = new WorkerConfig { WarmSpares = 1 },
        });

        // The spare starts with the manager, with no job; it loads markov and nothing else.
        await NextAsync<WorkerStarted>(Events);
        var spare = Launcher.Nodes.Single();
        await AwaitAssertAsync(() => Assert.True(spare.HasLoaded("markov")), Slow);
        Assert.False(spare.HasLoaded("echo"));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Dispose();
    }
}
