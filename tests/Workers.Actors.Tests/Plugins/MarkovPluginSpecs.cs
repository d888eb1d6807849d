using System.Text.Json;
using Workers.Plugins.Samples;

namespace Workers.Actors.Tests.Plugins;

public class MarkovPluginSpecs
{
    [Fact]
    public async Task Should_generate_the_same_text_for_the_same_seed()
    {
        await using var plugin = await PluginHarness.LoadedAsync<MarkovPlugin>();
        await using var other = await PluginHarness.LoadedAsync<MarkovPlugin>();
        const string parameters = """{"seed":42,"delayMs":0}""";

        var first = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context(parameters)));
        var second = PluginHarness.ToJson(await other.ExecuteAsync(PluginHarness.Context(parameters)));

        Assert.Equal(first.GetProperty("text").GetString(), second.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_generate_other_text_for_another_seed()
    {
        await using var plugin = await PluginHarness.LoadedAsync<MarkovPlugin>();

        var first = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context("""{"seed":1,"delayMs":0}""")));
        var second = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context("""{"seed":2,"delayMs":0}""")));

        Assert.NotEqual(first.GetProperty("text").GetString(), second.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_generate_the_number_of_words_asked_for()
    {
        await using var plugin = await PluginHarness.LoadedAsync<MarkovPlugin>();

        var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context("""{"words":37,"delayMs":0}""")));

        Assert.Equal(37, json.GetProperty("words").GetInt32());
        Assert.Equal(37, json.GetProperty("text").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Should_stream_the_text_it_returns_one_word_per_chunk()
    {
        await using var plugin = await PluginHarness.LoadedAsync<MarkovPlugin>();
        const string parameters = """{"seed":7,"words":25,"delayMs":0}""";
        var progress = new List<double>();

        var chunks = await PluginHarness.StreamAsync(plugin, PluginHarness.Context(parameters, progress));
        var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context(parameters)));

        Assert.Equal(json.GetProperty("text").GetString(), PluginHarness.Joined(chunks));
        Assert.Equal(25, chunks.Count);
        Assert.All(chunks, chunk => Assert.Matches(@"^\S+ $", chunk));
        Assert.Equal(1.0, progress[^1]);
    }

    [Fact]
    public async Task Should_start_with_the_prompt()
    {
        await using var plugin = await PluginHarness.LoadedAsync<MarkovPlugin>();

        var json = PluginHarness.ToJson(
            await plugin.ExecuteAsync(PluginHarness.Context("""{"prompt":"The storm","words":10,"delayMs":0}""")));

        Assert.StartsWith("The storm ", json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_learn_from_the_configured_corpus_file()
    {
        var corpusPath = Path.Combine(Path.GetTempPath(), $"markov-corpus-{Guid.NewGuid()}.txt");
        await File.WriteAllTextAsync(corpusPath, "alpha beta gamma. beta alpha delta.");
        try
        {
            await using var plugin = await PluginHarness.LoadedAsync<MarkovPlugin>(
                $$"""{"corpusPath":{{JsonSerializer.Serialize(corpusPath)}}}""");

            var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context("""{"words":40,"delayMs":0}""")));

            var words = json.GetProperty("text").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(40, words.Length);
            Assert.All(words, word => Assert.Contains(word, new[] { "alpha", "beta", "gamma.", "delta." }));
        }
        finally
        {
            File.Delete(corpusPath);
        }
    }

    [Fact]
    public async Task Should_refuse_jobs_before_it_is_loaded()
    {
        await using var plugin = new MarkovPlugin();

        await Assert.ThrowsAsync<InvalidOperationException>(() => plugin.ExecuteAsync(PluginHarness.Context()));
    }
}
