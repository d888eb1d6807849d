using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Workers.Actors.Plugins;
using Workers.Plugins;
using Workers.WorkerNode;

namespace Workers.Actors.Tests.WorkerNode;

/// <summary>
/// The node's plugins: loaded once in a collectible context and reused, loaded again for another configuration,
/// unloaded so that their memory can really be freed, and unloaded before another plugin is loaded.
/// </summary>
public sealed class PluginHostSpecs : IAsyncDisposable
{
    private const int MaxCollections = 20;
    private static readonly ImmutableArray<PluginDescriptor> Catalog =
        PluginDiscovery.Discover([Path.Combine(AppContext.BaseDirectory, "Workers.Plugins.Samples.dll")]);

    private readonly PluginHost _host = new(Catalog);

    [Fact]
    public async Task Should_load_a_plugin_in_a_collectible_context_of_its_own()
    {
        var echo = await _host.GetAsync("echo", "{}", CancellationToken.None);

        Assert.Equal("echo", echo.Name);
        var context = AssemblyLoadContext.GetLoadContext(echo.GetType().Assembly)!;
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.True(context.IsCollectible);
        Assert.Equal("echo", _host.Current);
        Assert.Contains("echo", _host.Names);
    }

    [Fact]
    public async Task Should_create_and_load_a_plugin_once_and_reuse_it()
    {
        var first = await _host.GetAsync("echo", """{"model":"small"}""", CancellationToken.None);
        var firstRun = await RunEchoAsync(first);
        var second = await _host.GetAsync("echo", """{"model":"small"}""", CancellationToken.None);
        var secondRun = await RunEchoAsync(second);

        Assert.Same(first, second);
        Assert.Equal(firstRun.Instance, secondRun.Instance);
        Assert.Equal(1, secondRun.Loads);
    }

    [Fact]
    public async Task Should_load_the_plugin_again_for_a_job_with_another_configuration()
    {
        var small = await _host.GetAsync("echo", """{"model":"small"}""", CancellationToken.None);
        var large = await _host.GetAsync("echo", """{"model":"large"}""", CancellationToken.None);
        var largeAgain = await _host.GetAsync("echo", """{"model":"large"}""", CancellationToken.None);

        Assert.NotSame(small, large);
        Assert.NotSame(AssemblyLoadContext.GetLoadContext(small.GetType().Assembly), AssemblyLoadContext.GetLoadContext(large.GetType().Assembly));
        Assert.Same(large, largeAgain);
        Assert.Equal(1, (await RunEchoAsync(large)).Loads); // a new instance, loaded once with the new configuration
    }

    [Fact]
    public async Task Should_free_the_load_context_of_an_unloaded_plugin()
    {
        await LoadAndRunAsync("echo");

        var unloaded = await _host.UnloadAsync("echo");

        Assert.NotNull(unloaded);
        Assert.Null(_host.Current);
        Assert.True(await IsCollectedAsync(unloaded), $"the load context of echo is still alive after {MaxCollections} collections");
        Assert.Null(await _host.UnloadAsync("echo")); // nothing loaded any more
    }

    [Fact]
    public async Task Should_free_the_load_context_of_a_plugin_whose_result_went_through_the_result_adapter()
    {
        // The node turns every result into JSON: that must not keep the plugin's types (and its context) alive.
        await LoadAndRunAsync("echo", adaptResult: true);

        var unloaded = await _host.UnloadAsync("echo");

        Assert.True(await IsCollectedAsync(unloaded!, whileSerializing: true), "the load context of echo is still alive after the serializer's caches expired");
    }

    [Fact]
    public async Task Should_unload_the_current_plugin_before_reloading_another()
    {
        var echo = await LoadAndWatchAsync("echo");

        await _host.ReloadAsync("sleep", """{"device":"cpu"}""", CancellationToken.None);

        Assert.True(echo.Unloading.Task.IsCompleted, "echo was not unloaded when sleep was reloaded");
        Assert.Equal("sleep", _host.Current);
        Assert.Null(await _host.UnloadAsync("echo")); // already gone
        Assert.True(await IsCollectedAsync(echo.Context), $"the load context of echo is still alive after {MaxCollections} collections");
    }

    [Fact]
    public async Task Should_unload_the_current_plugin_first_even_when_the_other_one_fails_to_load()
    {
        // A failing load shows the order: echo is already unloaded when markov's load is attempted (and fails), so a
        // model on a GPU is freed before the next one is loaded.
        var echo = await LoadAndWatchAsync("echo");
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-corpus-{Guid.NewGuid():N}.txt");

        await Assert.ThrowsAsync<FileNotFoundException>(() => _host.ReloadAsync("markov", JsonSerializer.Serialize(new { corpusPath = missing }), CancellationToken.None));

        Assert.True(echo.Unloading.Task.IsCompleted, "echo was not unloaded before markov was loaded");
        Assert.Null(_host.Current);
    }

    [Fact]
    public async Task Should_reload_the_current_plugin_as_a_new_instance()
    {
        var before = await _host.GetAsync("echo", "{}", CancellationToken.None);

        await _host.ReloadAsync("echo", """{"model":"large"}""", CancellationToken.None);
        var after = await _host.GetAsync("echo", """{"model":"large"}""", CancellationToken.None);

        Assert.NotSame(before, after);
        Assert.Equal("echo", _host.Current);
    }

    [Fact]
    public async Task Should_refuse_a_plugin_it_does_not_have()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _host.GetAsync("nope", "{}", CancellationToken.None));

        Assert.StartsWith("This node has no plugin \"nope\". It has: ", error.Message);
        Assert.Contains("echo", error.Message);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>
    /// Loads and runs a plugin in a frame of its own, so that no reference to the plugin or its types outlives it
    /// on this side (a test that held one would keep the context alive by itself).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task LoadAndRunAsync(string name, bool adaptResult = false)
    {
        var plugin = await _host.GetAsync(name, "{}", CancellationToken.None);
        var result = await plugin.ExecuteAsync(Context("""{"text":"hi"}"""));
        if (adaptResult)
            Assert.Contains("\"text\":\"hi\"", ResultAdapter.ToJson(result));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<WatchedContext> LoadAndWatchAsync(string name)
    {
        var plugin = await _host.GetAsync(name, "{}", CancellationToken.None);
        var context = AssemblyLoadContext.GetLoadContext(plugin.GetType().Assembly)!;
        var unloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Unloading += _ => unloading.TrySetResult();
        return new WatchedContext(new WeakReference(context), unloading);
    }

    /// <summary>An awaited condition, not a wait: collects until the context is gone or <see cref="MaxCollections"/> tries are spent.</summary>
    /// <param name="whileSerializing">
    /// Serialize between tries, as a node does with its next results: System.Text.Json's member-accessor cache drops a
    /// type about a second after its last use, when it is next used. That cache is time-based, so these tries are
    /// spaced out (20 × 100 ms at most); there is no event to await instead.
    /// </param>
    private static async Task<bool> IsCollectedAsync(WeakReference reference, bool whileSerializing = false)
    {
        for (var i = 0; i < MaxCollections && reference.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (!reference.IsAlive || !whileSerializing)
            {
                await Task.Yield();
                continue;
            }
            await Task.Delay(100);
            // A contract of a new plugin's result: what the node builds when the next plugin returns its first result.
            JsonSerializer.Serialize(new { next = i }, new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });
        }
        return !reference.IsAlive;
    }

    private static async Task<(string Instance, int Loads)> RunEchoAsync(IWorkerPlugin echo)
    {
        using var json = JsonDocument.Parse(ResultAdapter.ToJson(await echo.ExecuteAsync(Context("{}"))));
        var metadata = json.RootElement.GetProperty("metadata");
        return (metadata.GetProperty("instance").GetString()!, metadata.GetProperty("loads").GetInt32());
    }

    private static JobContext Context(string parameters) =>
        new("job-1", JsonDocument.Parse(parameters).RootElement, "worker-test", Environment.ProcessId, (_, _) => { }, CancellationToken.None);

    private sealed record WatchedContext(WeakReference Context, TaskCompletionSource Unloading);
}
