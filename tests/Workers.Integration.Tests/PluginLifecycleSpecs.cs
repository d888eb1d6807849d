using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>A node loads a plugin once and reuses it; reload and unload work while the node stays up.</summary>
public class PluginLifecycleSpecs(ITestOutputHelper output) : WorkersSpec("plugin-lifecycle-specs", output)
{
    [Fact]
    public async Task Should_reuse_the_loaded_plugin_instance_across_jobs_on_a_slot()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");

        var (firstStarted, first) = await RunEchoAsync(client, subscriber, manager, "first");
        var (secondStarted, second) = await RunEchoAsync(client, subscriber, manager, "second");

        Assert.Equal(firstStarted.WorkerPid, secondStarted.WorkerPid);
        Assert.Equal(first.GetProperty("instance").GetString(), second.GetProperty("instance").GetString());
        Assert.Equal(1, first.GetProperty("loads").GetInt32());
        Assert.Equal(1, second.GetProperty("loads").GetInt32());
    }

    [Fact]
    public async Task Should_reload_a_plugin_with_a_new_config_as_a_fresh_instance_on_the_running_node()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var (before, loaded) = await RunEchoAsync(client, subscriber, manager, "before");

        client.Send(manager, new ReloadPlugin("echo", Parameters(new { greeting = "reloaded" })));
        await client.ExpectMsgAsync(new PluginCommandResult("echo", true, null), NodeStart);

        var (after, reloaded) = await RunEchoAsync(client, subscriber, manager, "after");
        Assert.Equal(before.WorkerPid, after.WorkerPid);
        Assert.NotEqual(loaded.GetProperty("instance").GetString(), reloaded.GetProperty("instance").GetString());
        Assert.Equal(1, reloaded.GetProperty("loads").GetInt32());
    }

    [Fact]
    public async Task Should_unload_a_plugin_on_the_running_node_and_load_it_again_on_the_next_job()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var (before, loaded) = await RunEchoAsync(client, subscriber, manager, "before");

        client.Send(manager, new UnloadPlugin("echo"));
        await client.ExpectMsgAsync(new PluginCommandResult("echo", true, null), NodeStart);

        var (after, again) = await RunEchoAsync(client, subscriber, manager, "after");
        Assert.Equal(before.WorkerPid, after.WorkerPid);
        Assert.NotEqual(loaded.GetProperty("instance").GetString(), again.GetProperty("instance").GetString());
        Assert.Equal(1, again.GetProperty("loads").GetInt32());
    }

    [Fact]
    public async Task Should_refuse_to_reload_or_unload_an_unknown_plugin()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        await RunEchoAsync(client, subscriber, manager); // a node is up

        client.Send(manager, new ReloadPlugin("no-such-plugin", Parameters(new { })));
        var reload = await client.ExpectMsgAsync<PluginCommandResult>(Reply);
        client.Send(manager, new UnloadPlugin("no-such-plugin"));
        var unload = await client.ExpectMsgAsync<PluginCommandResult>(Reply);

        Assert.All([reload, unload], result =>
        {
            Assert.Equal("no-such-plugin", result.PluginName);
            Assert.False(result.Success);
            Assert.Contains("no-such-plugin", result.Error);
        });
    }

    [Fact]
    public async Task Should_unload_the_current_plugin_first_when_another_one_is_reloaded()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var (before, loaded) = await RunEchoAsync(client, subscriber, manager, "before");

        // Switching to another plugin frees the current one (a model on a GPU) before loading the next.
        client.Send(manager, new ReloadPlugin("markov", Parameters(new { })));
        await client.ExpectMsgAsync(new PluginCommandResult("markov", true, null), NodeStart);

        var (after, again) = await RunEchoAsync(client, subscriber, manager, "after");
        Assert.Equal(before.WorkerPid, after.WorkerPid);
        Assert.NotEqual(loaded.GetProperty("instance").GetString(), again.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Should_report_a_reload_that_fails_on_a_node_with_the_node_and_the_cause()
    {
        var manager = await StartManagerAsync(Options());
        var subscriber = await SubscribeAsync(manager);
        var client = CreateTestProbe("client");
        var (before, _) = await RunEchoAsync(client, subscriber, manager);
        var corpus = Path.Combine(Path.GetTempPath(), $"no-such-corpus-{Guid.NewGuid():N}.txt");

        client.Send(manager, new ReloadPlugin("markov", Parameters(new { corpusPath = corpus })));
        var result = await client.ExpectMsgAsync<PluginCommandResult>(NodeStart);

        Assert.Equal("markov", result.PluginName);
        Assert.False(result.Success);
        Assert.Contains(before.WorkerId, result.Error);
        Assert.Contains(corpus, result.Error);
        // The node survived the failed load.
        var (after, _) = await RunEchoAsync(client, subscriber, manager);
        Assert.Equal(before.WorkerPid, after.WorkerPid);
    }
}
