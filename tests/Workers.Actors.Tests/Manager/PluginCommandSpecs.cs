using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>Reload and unload of plugins on the running nodes.</summary>
public sealed class PluginCommandSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    [Fact]
    public async Task Should_reload_and_unload_a_plugin_on_the_running_nodes()
    {
        var manager = await StartManagerAsync();
        var job = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        manager.Tell(new ReloadPlugin("echo", Json("""{"greeting":"hi"}""")), Client.Ref);
        Assert.Equal(new PluginCommandResult("echo", true, null), await Client.ExpectMsgAsync<PluginCommandResult>(Slow));
        Assert.Equal("echo", (await GetWorkersAsync(manager)).Single().LoadedPlugin);

        manager.Tell(new UnloadPlugin("echo"), Client.Ref);
        Assert.Equal(new PluginCommandResult("echo", true, null), await Client.ExpectMsgAsync<PluginCommandResult>(Slow));
        Assert.Null((await GetWorkersAsync(manager)).Single().LoadedPlugin);

        // The node still runs the plugin afterwards: it loads it again on demand.
        var again = await SubmitAsync(manager, "echo", """{"text":"again"}""");
        var completed = await NextOfJobAsync<JobCompleted>(Events, again.Id);
        Assert.Equal("again", completed.Result.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_succeed_at_once_when_no_node_is_running()
    {
        var manager = await StartManagerAsync();

        manager.Tell(new ReloadPlugin("echo", Json("{}")), Client.Ref);

        Assert.Equal(new PluginCommandResult("echo", true, null), await Client.ExpectMsgAsync<PluginCommandResult>());
        Assert.Empty(Launcher.Nodes);
    }

    [Fact]
    public async Task Should_refuse_an_unknown_plugin()
    {
        var manager = await StartManagerAsync();

        manager.Tell(new ReloadPlugin("nope", Json("{}")), Client.Ref);
        var reload = await Client.ExpectMsgAsync<PluginCommandResult>();
        manager.Tell(new UnloadPlugin("nope"), Client.Ref);
        var unload = await Client.ExpectMsgAsync<PluginCommandResult>();

        Assert.All([reload, unload], result =>
        {
            Assert.Equal(("nope", false), (result.PluginName, result.Success));
            Assert.StartsWith("Unknown plugin \"nope\".", result.Error);
        });
    }
}
