using System.Text;
using Akka.Configuration;

namespace Workers.Actors;

/// <summary>
/// How much one message between a manager and a node may carry. Akka.Remote discards a message larger than
/// <c>akka.remote.dot-netty.tcp.maximum-frame-size</c> (it logs an error; the sender hears nothing), so whatever could
/// exceed it is checked before it is sent: a job's parameters on submit, its execute request before it goes to the
/// node, a batch of jobs sent ahead, and a job's result and chunks on the node.
/// </summary>
public static class WireLimits
{
    /// <summary>Room kept in a frame for the envelope around a payload: actor paths, manifest, field lengths.</summary>
    public const int FrameOverhead = 64 * 1024;

    /// <summary>Akka.Remote's own default frame size, used when the configuration has none.</summary>
    public const long DefaultFrameBytes = 128_000;

    /// <summary>The frame size of the configuration's transport, or <paramref name="fallback"/> if it sets none.</summary>
    public static long FrameBytes(Config config, long fallback = DefaultFrameBytes) =>
        config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? fallback;

    /// <summary>The frame both ends take: the smaller of the two, or <paramref name="own"/> when the peer did not say (0).</summary>
    public static long Agreed(long own, long peer) => peer > 0 ? Math.Min(own, peer) : own;

    /// <summary>The most one message's payload (a job's parameters, its result, a batch of chunks) may take in a frame.</summary>
    public static long PayloadBytes(long frameBytes) => Math.Max(1024, frameBytes - FrameOverhead);

    /// <summary>The UTF-8 size of a text, counted only when it could matter: exact from a quarter of <paramref name="limit"/> up.</summary>
    /// <returns>the exact size, or an upper bound below <paramref name="limit"/> / 4 (3 bytes per UTF-16 char at most)</returns>
    public static long Utf8Bytes(string? text, long limit)
    {
        if (text is null)
            return 0;
        var bound = 3L * text.Length;
        return bound < limit / 4 ? bound : Encoding.UTF8.GetByteCount(text);
    }

    /// <summary>The UTF-8 size of what a job takes to its node (see <see cref="Utf8Bytes"/> for when it is exact).</summary>
    public static long Size(ExecuteJob job, long limit) =>
        Utf8Bytes(job.JobId, limit) + Utf8Bytes(job.PluginId, limit) + Utf8Bytes(job.ParametersJson, limit) + Utf8Bytes(job.ConfigJson, limit);

    /// <summary>The UTF-8 size of a job's outcome (see <see cref="Utf8Bytes"/> for when it is exact).</summary>
    public static long Size(IWorkerWireMessage outcome, long limit) => outcome switch
    {
        NodeJobSucceeded done => Utf8Bytes(done.JobId, limit) + Utf8Bytes(done.ResultJson, limit),
        NodeJobFailed failed => Utf8Bytes(failed.JobId, limit) + Utf8Bytes(failed.Error, limit),
        _ => 0,
    };

    /// <summary>
    /// Where the batch that starts at <paramref name="start"/> ends (exclusive): at most <paramref name="maxCount"/> items
    /// and <paramref name="maxBytes"/> bytes by <paramref name="size"/>, and always at least one item.
    /// </summary>
    public static int BatchEnd<T>(IReadOnlyList<T> items, int start, long maxBytes, int maxCount, Func<T, long, long> size)
    {
        var end = start;
        long bytes = 0;
        while (end < items.Count && end - start < maxCount)
        {
            bytes += size(items[end], maxBytes);
            if (end > start && bytes > maxBytes)
                break;
            end++;
        }
        return end;
    }
}
