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
}
