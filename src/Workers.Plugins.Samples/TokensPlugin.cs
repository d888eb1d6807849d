using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Workers.Plugins.Samples;

/// <summary>
/// Streams <c>count</c> chunks <c>"{prefix}{i} "</c> (defaults: 10, <c>"tok"</c>), waiting <c>delayMs</c>
/// (default 0) between chunks. Cheap enough per chunk to stream millions, for load tests of streaming.
/// </summary>
public sealed class TokensPlugin : WorkerPluginBase, IStreamingWorkerPlugin
{
    public override string Name => "tokens";

    public override async Task<object?> ExecuteAsync(JobContext context)
    {
        var text = new StringBuilder();
        long count = 0;
        await foreach (var chunk in StreamAsync(context).ConfigureAwait(false))
        {
            text.Append(chunk);
            count++;
        }

        return new { text = text.ToString(), count };
    }

    public IAsyncEnumerable<string> StreamAsync(JobContext context) => Stream(context, context.CancellationToken);

    private static async IAsyncEnumerable<string> Stream(
        JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var count = context.GetInt64("count", 10);
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Parameter 'count' must not be negative, got {count}.");
        }

        var delayMs = context.GetInt32InRange("delayMs", 0);
        var prefix = context.GetString("prefix", "tok");

        // Progress about every 1%: the node keeps only the latest value, so more calls would be wasted work.
        var progressStep = Math.Max(1, count / 100);
        for (long i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (i > 0 && delayMs > 0)
            {
                await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
            }

            yield return Chunk(prefix, i);

            if ((i + 1) % progressStep == 0)
            {
                context.ReportProgress((i + 1) / (double)count);
            }
        }

        context.ReportProgress(1);
    }

    // One allocation per chunk: the digits are formatted on the stack, not into a string of their own.
    private static string Chunk(string prefix, long index)
    {
        Span<char> digits = stackalloc char[20];
        index.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        return string.Concat(prefix, digits[..length], " ");
    }
}
