namespace Workers.Actors.Tests.Options;

public sealed class JobManagerOptionsSpecs
{
    private static readonly JobManagerOptions Valid = new() { WorkerType = "transcription", PluginAssemblies = ["Workers.Plugins.Samples.dll"] };

    [Fact]
    public void Should_accept_a_worker_type_and_plugin_assemblies()
    {
        Valid.Validate();
        (Valid with { WorkerType = "llm_gen-2" }).Validate();
        Assert.True(Valid.SupportsStreaming);
    }

    [Theory]
    [InlineData("", "WorkerType is required")]
    [InlineData("  ", "WorkerType is required")]
    [InlineData("has space", "may contain only letters, digits, '-' and '_'")]
    [InlineData("a/b", "may contain only letters, digits, '-' and '_'")]
    public void Should_require_a_usable_worker_type(string workerType, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => (Valid with { WorkerType = workerType }).Validate());

        Assert.Equal(nameof(JobManagerOptions.WorkerType), error.ParamName);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Should_require_plugin_assemblies()
    {
        var error = Assert.Throws<ArgumentException>(() => (Valid with { PluginAssemblies = [] }).Validate());
        var unset = Assert.Throws<ArgumentException>(() => (Valid with { PluginAssemblies = default }).Validate());

        Assert.Equal(nameof(JobManagerOptions.PluginAssemblies), error.ParamName);
        Assert.Equal(nameof(JobManagerOptions.PluginAssemblies), unset.ParamName);
    }

    [Fact]
    public void Should_validate_its_worker_config()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (Valid with { Worker = new WorkerConfig { MaxWorkers = 0 } }).Validate());

        Assert.Equal(nameof(WorkerConfig.MaxWorkers), error.ParamName);
    }

    [Fact]
    public void Should_resolve_relative_plugin_paths_from_the_application_folder()
    {
        Assert.Equal([Path.Combine(AppContext.BaseDirectory, "Workers.Plugins.Samples.dll")], Valid.ResolvedPluginAssemblies());
    }

    [Fact]
    public void Should_require_a_token_for_a_manager_that_spawns_no_nodes()
    {
        var error = Assert.Throws<ArgumentException>(() => (Valid with { SpawnNodes = false }).Validate());

        Assert.Equal(nameof(JobManagerOptions.SpawnNodes), error.ParamName);
        (Valid with { SpawnNodes = false, NodeToken = "secret" }).Validate();
    }

    [Fact]
    public void Should_refuse_a_blank_token_two_token_sources_and_a_missing_token_file()
    {
        Assert.Equal(nameof(JobManagerOptions.NodeToken), Assert.Throws<ArgumentException>(() => (Valid with { NodeToken = " " }).Validate()).ParamName);
        var missing = Path.Combine(Path.GetTempPath(), $"no-token-{Guid.NewGuid():N}");
        var error = Assert.Throws<ArgumentException>(() => (Valid with { NodeTokenFile = missing }).Validate());
        Assert.Contains(missing, error.Message);
        Assert.Throws<ArgumentException>(() => (Valid with { NodeToken = "a", NodeTokenFile = missing }).Validate());
    }

    [Fact]
    public void Should_read_the_token_from_its_file_trimmed()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "  from-a-file\n");
            var options = Valid with { NodeTokenFile = file };

            options.Validate();
            Assert.Equal("from-a-file", options.ResolveNodeToken());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Should_refuse_a_pin_without_worker_ids()
    {
        var error = Assert.Throws<ArgumentException>(() => (Valid with
        {
            PinnedPlugins = new Dictionary<string, System.Collections.Immutable.ImmutableArray<string>> { ["echo"] = [] },
        }).Validate());

        Assert.Contains("PinnedPlugins[\"echo\"]", error.Message);
    }
}
