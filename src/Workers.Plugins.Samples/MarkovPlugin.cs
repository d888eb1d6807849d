using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Workers.Plugins.Samples;

/// <summary>
/// Generates text with a word-level Markov chain, one word at a time, like a tiny offline language model.
/// </summary>
/// <remarks>
/// Loading builds the chain from the built-in corpus, or from the text file named by the configuration
/// property <c>corpusPath</c>. Parameters: <c>words</c> (default 50), <c>seed</c> (same seed, same text;
/// random when absent), <c>prompt</c> (the first word or words of the text), <c>delayMs</c> between words
/// (default 20, so a person watching the stream sees the words arrive).
/// </remarks>
public sealed class MarkovPlugin : WorkerPluginBase, IStreamingWorkerPlugin
{
    private MarkovChain? _chain;

    public override string Name => "markov";

    protected override async Task OnLoadAsync(CancellationToken cancellationToken)
    {
        var corpus = MarkovCorpus.Text;
        if (Config.ValueKind == JsonValueKind.Object
            && Config.TryGetProperty("corpusPath", out var path)
            && path.ValueKind != JsonValueKind.Null)
        {
            corpus = path.ValueKind == JsonValueKind.String
                ? await File.ReadAllTextAsync(path.GetString()!, cancellationToken).ConfigureAwait(false)
                : throw new ArgumentException($"Configuration 'corpusPath' must be a string, got {path.ValueKind}.");
        }

        _chain = MarkovChain.Build(corpus);
    }

    public override async Task<object?> ExecuteAsync(JobContext context)
    {
        var job = Prepare(context);
        var text = new StringBuilder();
        await foreach (var word in Stream(job, context, context.CancellationToken).ConfigureAwait(false))
        {
            text.Append(word);
        }

        return new { text = text.ToString(), words = job.Words, seed = job.Seed };
    }

    public IAsyncEnumerable<string> StreamAsync(JobContext context) =>
        Stream(null, context, context.CancellationToken);

    // Parameters are read inside the iterator when streaming, so a bad one faults the stream, not the call.
    private async IAsyncEnumerable<string> Stream(
        Generation? job, JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        job ??= Prepare(context);
        using var words = job.Chain.Generate(new Random(job.Seed), job.Prompt).GetEnumerator();
        for (var i = 0; i < job.Words && words.MoveNext(); i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (i > 0 && job.DelayMs > 0)
            {
                await Task.Delay(job.DelayMs, cancellationToken).ConfigureAwait(false);
            }

            yield return words.Current + " ";
            context.ReportProgress((i + 1) / (double)job.Words);
        }

        context.ReportProgress(1);
    }

    private Generation Prepare(JobContext context) => new(
        _chain ?? throw new InvalidOperationException("The markov plugin was not loaded: LoadAsync builds its chain."),
        context.GetInt32InRange("words", 50, 0, 100_000),
        context.GetInt32InRange("seed", Random.Shared.Next(), int.MinValue, int.MaxValue),
        context.GetString("prompt", "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        context.GetInt32InRange("delayMs", 20));

    private sealed record Generation(MarkovChain Chain, int Words, int Seed, string[] Prompt, int DelayMs);
}
