using System.Collections.Immutable;
using System.Text.Json;
using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

public sealed class PluginResolverSpecs
{
    private static readonly ImmutableHashSet<string> NodePlugins = ["echo", "sleep"];
    private static readonly Dictionary<string, string> Configs = new() { ["echo"] = """{"greeting":"hi"}""" };

    [Fact]
    public void Should_take_the_id_for_the_node_plugin_name_without_a_registry()
    {
        var resolver = new PluginResolver(NodePlugins, registry: null);

        var echo = resolver.Resolve("echo", Configs, out var echoError);
        var sleep = resolver.Resolve("sleep", Configs, out _);

        Assert.Null(echoError);
        Assert.Equal(("echo", """{"greeting":"hi"}"""), (echo!.PluginName, echo.ConfigJson));
        Assert.Equal(("sleep", "{}"), (sleep!.PluginName, sleep.ConfigJson)); // no configuration: an empty one
    }

    [Fact]
    public void Should_reject_an_unknown_plugin_and_list_the_known_ones()
    {
        var resolver = new PluginResolver(NodePlugins, registry: null);

        Assert.Null(resolver.Resolve("nope", Configs, out var error));
        Assert.Equal("Unknown plugin \"nope\". Known plugins: echo, sleep.", error);
    }

    [Fact]
    public void Should_map_a_registry_id_to_its_plugin_and_configuration()
    {
        var registry = new FakeRegistry(new PluginMetadata("whisper-small", "echo", "transcription", true), """{"model":"small"}""");
        var resolver = new PluginResolver(NodePlugins, registry);

        var target = resolver.Resolve("whisper-small", Configs, out var error);

        Assert.Null(error);
        Assert.Equal(("echo", """{"model":"small"}"""), (target!.PluginName, target.ConfigJson));
    }

    [Theory]
    [InlineData("missing", "Plugin missing not found in the plugin registry.")]
    [InlineData("unconfigured", "Plugin unconfigured is not configured")]
    [InlineData("elsewhere", "Plugin elsewhere names plugin \"gpu-only\", which no plugin assembly provides.")]
    public void Should_reject_what_the_registry_cannot_run(string pluginId, string message)
    {
        var registry = new FakeRegistry(
            [new PluginMetadata("unconfigured", "echo", null, false), new PluginMetadata("elsewhere", "gpu-only", null, true)], null);
        var resolver = new PluginResolver(NodePlugins, registry);

        Assert.Null(resolver.Resolve(pluginId, Configs, out var error));
        Assert.StartsWith(message, error);
    }

    private sealed class FakeRegistry(PluginMetadata[] plugins, string? configJson) : IPluginRegistry
    {
        public FakeRegistry(PluginMetadata plugin, string? configJson) : this([plugin], configJson) { }

        public IReadOnlyList<PluginMetadata> GetPluginsByCategory(object? category) => plugins;

        public PluginMetadata? GetPlugin(string pluginId) => plugins.FirstOrDefault(p => p.Id == pluginId);

        public JsonElement? LoadPluginConfig(string pluginId) =>
            configJson is null ? null : JsonDocument.Parse(configJson).RootElement.Clone();
    }
}
