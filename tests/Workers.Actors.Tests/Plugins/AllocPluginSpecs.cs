using Workers.Plugins.Samples;

namespace Workers.Actors.Tests.Plugins;

// Alone in its collection: other tests allocating at the same time would blur the heap measurements.
[CollectionDefinition(nameof(AllocPluginSpecs), DisableParallelization = true)]
public class AllocPluginCollection;

[Collection(nameof(AllocPluginSpecs))]
public class AllocPluginSpecs
{
    // Large against what the rest of the process allocates meanwhile: a collection runs alone, but threads left by
    // earlier tests (ActorSystems shutting down, in-process nodes) still allocate and let go, and 64 MB once missed the
    // 10 % bound. So did 256 MB (a clean-clone CI run, 2026-11-29: 220 MiB held, the rest of the process having let go
    // of 36 MiB between the two readings). The lower bounds are therefore 75 %: still far from a plugin that holds
    // nothing or half; the upper bound stays at 110 %, against one that holds its memory twice.
    private const int Mb = 256;
    private const long Mebibyte = 1024 * 1024;
    private const long AtLeast = Mb * Mebibyte * 3 / 4;
    private const long AtMost = Mb * Mebibyte * 11 / 10;

    [Fact]
    public async Task Should_hold_the_memory_until_disposed()
    {
        var plugin = await PluginHarness.LoadedAsync<AllocPlugin>();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context($$"""{"mb":{{Mb}}}""")));
        var holding = GC.GetTotalMemory(forceFullCollection: true);
        await plugin.DisposeAsync();
        var released = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(Mb, json.GetProperty("allocatedMb").GetInt32());
        Assert.InRange(holding - before, AtLeast, AtMost);
        Assert.True(holding - released >= AtLeast, $"released only {(holding - released) / Mebibyte} MiB");
        GC.KeepAlive(plugin);
    }

    [Fact]
    public async Task Should_replace_the_previous_allocation_rather_than_add_to_it()
    {
        await using var plugin = await PluginHarness.LoadedAsync<AllocPlugin>();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        await plugin.ExecuteAsync(PluginHarness.Context($$"""{"mb":{{Mb}}}"""));
        await plugin.ExecuteAsync(PluginHarness.Context($$"""{"mb":{{Mb}}}"""));
        var holding = GC.GetTotalMemory(forceFullCollection: true);

        Assert.InRange(holding - before, AtLeast, AtMost);
        GC.KeepAlive(plugin);
    }

    [Fact]
    public async Task Should_take_the_memory_its_configuration_asks_for_when_it_loads_and_hold_it_until_disposed()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var plugin = await PluginHarness.LoadedAsync<AllocPlugin>($$"""{"loadMb":{{Mb}}}""");
        var loaded = GC.GetTotalMemory(forceFullCollection: true);
        await plugin.ExecuteAsync(PluginHarness.Context("""{"mb":0}""")); // a job does not let go of the "model"
        var afterJob = GC.GetTotalMemory(forceFullCollection: true);
        await plugin.DisposeAsync();
        var released = GC.GetTotalMemory(forceFullCollection: true);

        Assert.InRange(loaded - before, AtLeast, AtMost);
        Assert.True(afterJob - before >= AtLeast, $"holds only {(afterJob - before) / Mebibyte} MiB after a job");
        Assert.True(afterJob - released >= AtLeast, $"released only {(afterJob - released) / Mebibyte} MiB");
        GC.KeepAlive(plugin);
    }

    [Fact]
    public async Task Should_refuse_to_load_with_a_negative_load_size()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => PluginHarness.LoadedAsync<AllocPlugin>("""{"loadMb":-1}"""));

        Assert.Contains("loadMb", error.Message);
    }
}
