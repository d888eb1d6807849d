using Akka.Event;

namespace Workers.Benchmarks.Harness;

/// <summary>
/// Drops what Akka.Remote logs when the benchmark's own ping-pong peers part at the end of a measurement (the
/// "Disassociated" error and DotNetty's channel-group warning): expected, and only noise around the progress lines.
/// Worker nodes killed on purpose are covered by the project's <c>WorkerNodeDisconnectLogFilter</c>.
/// </summary>
internal sealed class PeerShutdownLogFilter : LogFilterBase
{
    private static readonly string[] Peers = ["ping%40", "pong%40", "akka://ping/", "akka://pong/"];

    public override LogFilterType FilterType => LogFilterType.Content;

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null)
    {
        var message = expandedMessage ?? content.Message?.ToString() ?? "";
        var disassociated = Peers.Any(peer => content.LogSource.Contains(peer, StringComparison.Ordinal))
                            && (message.Contains("Disassociated", StringComparison.Ordinal) || content is Error { Cause: not null });
        var channelGroup = message.Contains("from connection group", StringComparison.Ordinal);
        return disassociated || channelGroup ? LogFilterDecision.Drop : LogFilterDecision.NoDecision;
    }
}
