using System.Text.Json;

namespace Workers.Actors.Tests.Integration;

/// <summary>The plugin registry in a folder: <c>plugins.json</c> and <c>configs/{id}.json</c>.</summary>
public sealed class JsonFilePluginRegistrySpecs : IDisposable
{
    private readonly RegistryFolder _folder = new();

    [Fact]
    public void Should_list_the_plugins_of_a_category()
    {
        var registry = _folder
            .WithCatalogue(
                new { id = "whisper-small", name = "whisper", category = "transcription" },
                new { id = "llama", name = "llama", category = "llm" },
                new { id = "whisper-large", name = "whisper", category = "transcription", description = "the large model" })
            .WithConfig("whisper-large", """{"model_id":"large-v3"}""")
            .Open();

        var transcription = registry.GetPluginsByCategory("transcription");

        Assert.Equal(
            [
                new PluginMetadata("whisper-small", "whisper", "transcription", IsConfigured: false),
                new PluginMetadata("whisper-large", "whisper", "transcription", IsConfigured: true, "the large model"),
            ],
            transcription);
        Assert.Equal(["llama"], registry.GetPluginsByCategory("llm").Select(plugin => plugin.Id));
        Assert.Empty(registry.GetPluginsByCategory("image"));
        Assert.Equal(3, registry.GetPluginsByCategory(null).Count); // no category: every plugin
    }

    [Fact]
    public void Should_compare_a_category_object_by_its_text()
    {
        var registry = _folder.WithCatalogue(new { id = "whisper", name = "whisper", category = "Transcription" }).Open();

        Assert.Single(registry.GetPluginsByCategory(Category.Transcription)); // an application's enum works as a category
    }

    [Fact]
    public void Should_find_a_plugin_by_its_id()
    {
        var registry = _folder
            .WithCatalogue(new { id = "echo-large", name = "echo", category = "text" }, new { id = "echo-small", name = "echo" })
            .WithConfig("echo-large", "{}")
            .Open();

        Assert.Equal(new PluginMetadata("echo-large", "echo", "text", true), registry.GetPlugin("echo-large"));
        Assert.Equal(new PluginMetadata("echo-small", "echo", null, false), registry.GetPlugin("echo-small"));
        Assert.Null(registry.GetPlugin("echo")); // a name is not an id
        Assert.Null(registry.GetPlugin("ECHO-LARGE"));
    }

    [Fact]
    public void Should_load_the_configuration_of_each_plugin()
    {
        var registry = _folder
            .WithCatalogue(new { id = "small", name = "echo" }, new { id = "large", name = "echo" }, new { id = "bare", name = "echo" })
            .WithConfig("small", """{"model":"small","device":"cpu"}""")
            .WithConfig("large", """{"model":"large","layers":[1,2]}""")
            .Open();

        Assert.Equal("""{"model":"small","device":"cpu"}""", registry.LoadPluginConfig("small")!.Value.GetRawText());
        Assert.Equal("""{"model":"large","layers":[1,2]}""", registry.LoadPluginConfig("large")!.Value.GetRawText());
        Assert.Null(registry.LoadPluginConfig("bare"));
        Assert.Null(registry.LoadPluginConfig("unknown"));
    }

    [Fact]
    public void Should_be_configured_only_while_the_configuration_file_exists()
    {
        var registry = _folder.WithCatalogue(new { id = "echo", name = "echo" }).Open();
        Assert.False(registry.GetPlugin("echo")!.IsConfigured);

        _folder.WithConfig("echo", """{"model":"v1"}""");
        Assert.True(registry.GetPlugin("echo")!.IsConfigured);
        Assert.Equal("v1", registry.LoadPluginConfig("echo")!.Value.GetProperty("model").GetString());

        _folder.WithConfig("echo", """{"model":"v2"}"""); // an edited file applies to the next call
        Assert.Equal("v2", registry.LoadPluginConfig("echo")!.Value.GetProperty("model").GetString());

        File.Delete(_folder.ConfigPath("echo"));
        Assert.False(registry.GetPlugin("echo")!.IsConfigured);
        Assert.Null(registry.LoadPluginConfig("echo"));
    }

    [Fact]
    public void Should_count_an_empty_configuration_as_configured()
    {
        var registry = _folder.WithCatalogue(new { id = "echo", name = "echo" }).WithConfig("echo", "{}").Open();

        Assert.True(registry.GetPlugin("echo")!.IsConfigured);
        Assert.Equal(JsonValueKind.Object, registry.LoadPluginConfig("echo")!.Value.ValueKind);
    }

    [Fact]
    public void Should_say_which_file_is_missing_when_there_is_no_catalogue()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new JsonFilePluginRegistry(_folder.Root));

        Assert.Contains(Path.Combine(_folder.Root, "plugins.json"), error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"id":"echo","name":"echo"}""")] // an object, not an array
    [InlineData("""[{"id":"echo","name":"echo","category":7}]""")]
    public void Should_explain_a_catalogue_that_is_not_an_array_of_plugins(string catalogue)
    {
        _folder.WithCatalogueText(catalogue);

        var error = Assert.Throws<InvalidDataException>(() => _folder.Open());

        Assert.StartsWith($"{Path.Combine(_folder.Root, "plugins.json")} is not a JSON array of plugins", error.Message);
        Assert.IsType<JsonException>(error.InnerException);
    }

    [Theory]
    [InlineData("""[{"name":"echo"}]""")]
    [InlineData("""[{"id":"echo"}]""")]
    [InlineData("""[{"id":" ","name":"echo"}]""")]
    public void Should_explain_a_plugin_without_an_id_or_a_name(string catalogue)
    {
        _folder.WithCatalogueText(catalogue);

        var error = Assert.Throws<InvalidDataException>(() => _folder.Open());

        Assert.Contains("every plugin needs an \"id\" and a \"name\"", error.Message);
        Assert.Contains(Path.Combine(_folder.Root, "plugins.json"), error.Message);
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("../../secret")]
    [InlineData("..\\secret")]
    [InlineData("sub/../../secret")]
    public void Should_never_read_outside_its_configs_folder(string pluginId)
    {
        // Files an id with "../" would reach: beside configs/, and beside the registry folder.
        File.WriteAllText(Path.Combine(_folder.Root, "secret.json"), """{"password":"hunter2"}""");
        File.WriteAllText(Path.Combine(_folder.Root, "..", "secret.json"), """{"password":"hunter2"}""");
        var registry = _folder.WithCatalogue(new { id = pluginId, name = "echo" }).Open();

        Assert.Null(registry.LoadPluginConfig(pluginId));
        Assert.False(registry.GetPlugin(pluginId)!.IsConfigured);
    }

    [Fact]
    public void Should_refuse_an_absolute_path_for_an_id()
    {
        var outside = Path.Combine(_folder.Root, "..", "outside");
        File.WriteAllText(outside + ".json", """{"password":"hunter2"}""");
        var registry = _folder.WithCatalogue(new { id = "echo", name = "echo" }).Open();

        Assert.Null(registry.LoadPluginConfig(Path.GetFullPath(outside)));
    }

    public void Dispose() => _folder.Dispose();

    private enum Category
    {
        Transcription,
    }
}

/// <summary>A registry folder in the temp directory, deleted with the test.</summary>
internal sealed class RegistryFolder : IDisposable
{
    // One parent per folder, so that what a spec writes beside the registry ("../secret.json") stays its own.
    private readonly string _parent = Path.Combine(Path.GetTempPath(), $"workers-registry-{Guid.NewGuid():N}");

    public RegistryFolder()
    {
        Root = Path.Combine(_parent, "registry");
        Directory.CreateDirectory(Path.Combine(Root, "configs"));
    }

    public string Root { get; }

    public RegistryFolder WithCatalogue(params object[] plugins) => WithCatalogueText(JsonSerializer.Serialize(plugins));

    public RegistryFolder WithCatalogueText(string json)
    {
        File.WriteAllText(Path.Combine(Root, "plugins.json"), json);
        return this;
    }

    public RegistryFolder WithConfig(string pluginId, string json)
    {
        File.WriteAllText(ConfigPath(pluginId), json);
        return this;
    }

    public string ConfigPath(string pluginId) => Path.Combine(Root, "configs", pluginId + ".json");

    /// <summary>A file beside the registry, for configurations that name files (a corpus, a model).</summary>
    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(_parent, name);
        File.WriteAllText(path, text);
        return path;
    }

    public JsonFilePluginRegistry Open() => new(Root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_parent, recursive: true);
        }
        catch (IOException)
        {
            // A node may still hold a file open for a moment; the temp folder is cleaned up eventually.
        }
    }
}
