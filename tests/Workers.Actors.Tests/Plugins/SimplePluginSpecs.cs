using Workers.Plugins.Samples;

namespace Workers.Actors.Tests.Plugins;

public class SimplePluginSpecs
{
    [Fact]
    public async Task Should_sleep_and_report_the_time_asked_for()
    {
        await using var plugin = await PluginHarness.LoadedAsync<SleepPlugin>();

        var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context("""{"ms":1}""")));

        Assert.Equal(1, json.GetProperty("sleptMs").GetInt32());
    }

    [Fact]
    public async Task Should_stop_sleeping_when_cancelled()
    {
        await using var plugin = await PluginHarness.LoadedAsync<SleepPlugin>();
        using var cancellation = new CancellationTokenSource();

        var job = plugin.ExecuteAsync(PluginHarness.Context("""{"ms":600000}""", cancellationToken: cancellation.Token));
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
    }

    [Fact]
    public async Task Should_fail_with_the_message_given()
    {
        await using var plugin = await PluginHarness.LoadedAsync<FailPlugin>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => plugin.ExecuteAsync(PluginHarness.Context("""{"message":"boom"}""")));

        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public async Task Should_fail_with_a_default_message()
    {
        await using var plugin = await PluginHarness.LoadedAsync<FailPlugin>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => plugin.ExecuteAsync(PluginHarness.Context()));

        Assert.Equal("plugin failed on purpose", error.Message);
    }

    [Fact]
    public async Task Should_fail_through_the_task_rather_than_throw_from_the_call()
    {
        await using var plugin = await PluginHarness.LoadedAsync<FailPlugin>();

        var job = plugin.ExecuteAsync(PluginHarness.Context());

        Assert.True(job.IsFaulted);
    }

    [Fact]
    public async Task Should_return_after_spinning_briefly()
    {
        await using var plugin = await PluginHarness.LoadedAsync<BusyPlugin>();

        var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context("""{"ms":1}""")));

        Assert.Equal(1, json.GetProperty("spunMs").GetInt32());
    }

    [Fact]
    public void Should_name_every_plugin_as_jobs_select_it()
    {
        Assert.Equal("echo", new EchoPlugin().Name);
        Assert.Equal("tokens", new TokensPlugin().Name);
        Assert.Equal("busy", new BusyPlugin().Name);
        Assert.Equal("sleep", new SleepPlugin().Name);
        Assert.Equal("fail", new FailPlugin().Name);
        Assert.Equal("crash", new CrashPlugin().Name);
        Assert.Equal("alloc", new AllocPlugin().Name);
        Assert.Equal("markov", new MarkovPlugin().Name);
        Assert.Equal("mandelbrot", new MandelbrotPlugin().Name);
    }
}
