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

    [Fact]
    public void Should_list_for_a_starting_node_the_plugins_with_a_configuration_without_a_registry()
    {
        var resolver = new PluginResolver(NodePlugins, registry: null);
        var configs = new Dictionary<string, string> { ["echo"] = """{"greeting":"hi"}""", ["whisper"] = "{}" };

        var targets = resolver.Configured(category: null, configs, plugins: ["echo", "sleep"], (id, e) => throw e);

        // sleep has no configuration, and this node has no whisper
        Assert.Equal([("echo", """{"greeting":"hi"}""")], targets.Select(t => (t.PluginName, t.ConfigJson)));
    }

    [Fact]
    public void Should_list_for_a_starting_node_the_configured_registry_entries_once_per_plugin()
    {
        var registry = new FakeRegistry(
        [
            new PluginMetadata("echo-unset", "echo", "text", IsConfigured: false),
            new PluginMetadata("echo-small", "echo", "text", IsConfigured: true),
            new PluginMetadata("echo-large", "echo", "text", IsConfigured: true),
            new PluginMetadata("sleep-long", "sleep", "text", IsConfigured: true),
            new PluginMetadata("whisper-small", "whisper", "text", IsConfigured: true),
        ], """{"model":"small"}""");
        var resolver = new PluginResolver(NodePlugins, registry);

        var onBoth = resolver.Configured("text", Configs, plugins: ["echo", "sleep"], (id, e) => throw e);
        var onEcho = resolver.Configured("text", Configs, plugins: ["echo"], (id, e) => throw e);

        // the first configured entry of each plugin, as a job of it would run; a plugin not on the node is left out
        Assert.Equal([("echo", """{"model":"small"}"""), ("sleep", """{"model":"small"}""")], onBoth.Select(t => (t.PluginName, t.ConfigJson)));
        Assert.Equal(["echo"], onEcho.Select(t => t.PluginName));
    }

    [Fact]
    public void Should_go_on_listing_when_a_registry_entry_cannot_be_read()
    {
        var registry = new FakeRegistry(
        [
            new PluginMetadata("echo-broken", "echo", null, IsConfigured: true),
            new PluginMetadata("sleep-fine", "sleep", null, IsConfigured: true),
        ], "{}", brokenId: "echo-broken");
        var resolver = new PluginResolver(NodePlugins, registry);
        var failures = new List<string>();

        var targets = resolver.Configured(null, Configs, NodePlugins, (id, e) => failures.Add($"{id}: {e.Message}"));

        Assert.Equal(["sleep"], targets.Select(t => t.PluginName));
        Assert.Equal(["echo-broken: unreadable"], failures);
    }

    private sealed class FakeRegistry(PluginMetadata[] plugins, string? configJson, string? brokenId = null) : IPluginRegistry
    {
        public FakeRegistry(PluginMetadata plugin, string? configJson) : this([plugin], configJson) { }

        public IReadOnlyList<PluginMetadata> GetPluginsByCategory(object? category) => plugins;

        public PluginMetadata? GetPlugin(string pluginId) => plugins.FirstOrDefault(p => p.Id == pluginId);

        public JsonElement? LoadPluginConfig(string pluginId) =>
            pluginId == brokenId ? throw new JsonException("unreadable")
            : configJson is null ? null : JsonDocument.Parse(configJson).RootElement.Clone();
    }
}
