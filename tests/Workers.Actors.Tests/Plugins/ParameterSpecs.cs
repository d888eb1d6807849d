using Workers.Plugins;
using Workers.Plugins.Samples;

namespace Workers.Actors.Tests.Plugins;

public class ParameterSpecs
{
    [Fact]
    public async Task Should_reject_a_string_where_an_integer_belongs_naming_the_parameter()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(
            () => plugin.ExecuteAsync(PluginHarness.Context("""{"count":"ten"}""")));

        Assert.Equal("count", error.ParamName);
        Assert.Contains("count", error.Message);
    }

    [Fact]
    public async Task Should_reject_a_number_where_a_string_belongs_naming_the_parameter()
    {
        await using var plugin = await PluginHarness.LoadedAsync<EchoPlugin>();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(
            () => plugin.ExecuteAsync(PluginHarness.Context("""{"text":5}""")));

        Assert.Equal("text", error.ParamName);
    }

    [Fact]
    public async Task Should_reject_a_bad_parameter_when_streaming()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(
            () => PluginHarness.StreamAsync(plugin, PluginHarness.Context("""{"prefix":true}""")));

        Assert.Equal("prefix", error.ParamName);
    }

    [Fact]
    public async Task Should_reject_an_out_of_range_value_naming_the_parameter()
    {
        await using var plugin = await PluginHarness.LoadedAsync<SleepPlugin>();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => plugin.ExecuteAsync(PluginHarness.Context("""{"ms":-5}""")));

        Assert.Equal("ms", error.ParamName);
    }

    [Fact]
    public async Task Should_fail_through_the_task_for_bad_parameters_of_synchronous_plugins()
    {
        IWorkerPlugin[] plugins = [new BusyPlugin(), new AllocPlugin()];
        foreach (var plugin in plugins)
        {
            await using var _ = plugin;
            var context = PluginHarness.Context("""{"ms":"x","mb":"x"}""");

            var job = plugin.ExecuteAsync(context);

            await Assert.ThrowsAnyAsync<ArgumentException>(() => job);
        }
    }
}
