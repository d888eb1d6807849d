using Workers.Plugins.Samples;

namespace Workers.Actors.Tests.Plugins;

public class TokensPluginSpecs
{
    [Fact]
    public async Task Should_stream_count_chunks_with_prefix()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();

        var chunks = await PluginHarness.StreamAsync(plugin, PluginHarness.Context("""{"count":4,"prefix":"w"}"""));

        Assert.Equal(["w0 ", "w1 ", "w2 ", "w3 "], chunks);
    }

    [Fact]
    public async Task Should_default_to_ten_tok_chunks()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();

        var chunks = await PluginHarness.StreamAsync(plugin, PluginHarness.Context());

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"tok{i} "), chunks);
    }

    [Fact]
    public async Task Should_return_joined_text_and_count_when_not_streamed()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();

        var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context("""{"count":3}""")));

        Assert.Equal("tok0 tok1 tok2 ", json.GetProperty("text").GetString());
        Assert.Equal(3, json.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Should_stream_a_million_chunks_with_about_a_hundred_progress_reports()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();
        var progress = new List<double>();
        long chunks = 0;
        string last = "";

        await foreach (var chunk in plugin.StreamAsync(PluginHarness.Context("""{"count":1000000}""", progress)))
        {
            chunks++;
            last = chunk;
        }

        Assert.Equal(1_000_000, chunks);
        Assert.Equal("tok999999 ", last);
        Assert.InRange(progress.Count, 100, 102);
        Assert.Equal(1.0, progress[^1]);
    }

    [Fact]
    public async Task Should_stream_nothing_for_zero_count()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();

        var chunks = await PluginHarness.StreamAsync(plugin, PluginHarness.Context("""{"count":0}"""));

        Assert.Empty(chunks);
    }

    [Fact]
    public async Task Should_stop_streaming_when_cancelled()
    {
        await using var plugin = await PluginHarness.LoadedAsync<TokensPlugin>();
        using var cancellation = new CancellationTokenSource();
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            var context = PluginHarness.Context("""{"count":1000,"delayMs":60000}""", cancellationToken: cancellation.Token);
            await foreach (var _ in plugin.StreamAsync(context))
            {
                received++;
                cancellation.Cancel();
            }
        });

        Assert.Equal(1, received);
    }
}
