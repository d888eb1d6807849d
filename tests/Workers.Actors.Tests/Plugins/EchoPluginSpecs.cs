using System.Text.Json;
using Workers.Plugins.Samples;

namespace Workers.Actors.Tests.Plugins;

public class EchoPluginSpecs
{
    [Fact]
    public async Task Should_return_text_and_where_it_ran()
    {
        await using var plugin = await PluginHarness.LoadedAsync<EchoPlugin>();

        var result = await plugin.ExecuteAsync(PluginHarness.Context("""{"text":"hello"}"""));

        // Serialized without a naming policy: the names must already be exactly these.
        var json = JsonSerializer.SerializeToElement(result);
        Assert.Equal("hello", json.GetProperty("text").GetString());
        var metadata = json.GetProperty("metadata");
        Assert.Equal(Environment.ProcessId, metadata.GetProperty("pid").GetInt32());
        Assert.Equal(PluginHarness.WorkerId, metadata.GetProperty("workerId").GetString());
        Assert.True(Guid.TryParse(metadata.GetProperty("instance").GetString(), out _));
        Assert.Equal(1, metadata.GetProperty("loads").GetInt32());
        Assert.Equal(
            ["text", "metadata"],
            json.EnumerateObject().Select(property => property.Name));
        Assert.Equal(
            ["pid", "workerId", "instance", "loads"],
            metadata.EnumerateObject().Select(property => property.Name));
    }

    [Fact]
    public async Task Should_default_text_to_empty()
    {
        await using var plugin = await PluginHarness.LoadedAsync<EchoPlugin>();

        var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context()));

        Assert.Equal("", json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_report_the_same_instance_and_one_load_across_jobs()
    {
        await using var plugin = await PluginHarness.LoadedAsync<EchoPlugin>();

        var first = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context())).GetProperty("metadata");
        var second = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context())).GetProperty("metadata");

        Assert.Equal(first.GetProperty("instance").GetString(), second.GetProperty("instance").GetString());
        Assert.Equal(1, second.GetProperty("loads").GetInt32());
    }

    [Fact]
    public async Task Should_count_loads_and_tell_instances_apart()
    {
        await using var plugin = await PluginHarness.LoadedAsync<EchoPlugin>();
        await using var other = await PluginHarness.LoadedAsync<EchoPlugin>();
        await plugin.LoadAsync(JsonDocument.Parse("{}").RootElement, CancellationToken.None);

        var reloaded = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context())).GetProperty("metadata");
        var fresh = PluginHarness.ToJson(await other.ExecuteAsync(PluginHarness.Context())).GetProperty("metadata");

        Assert.Equal(2, reloaded.GetProperty("loads").GetInt32());
        Assert.NotEqual(reloaded.GetProperty("instance").GetString(), fresh.GetProperty("instance").GetString());
    }
}
