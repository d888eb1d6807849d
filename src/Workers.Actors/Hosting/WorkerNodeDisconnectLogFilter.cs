using Akka.Event;

namespace Workers.Actors;

/// <summary>
/// Drops Akka.Remote's "Disassociated" error and warning when the peer is a Workers node. A node that crashes or is killed to
/// cancel a job is expected here, and the manager already logs a warning and publishes <see cref="WorkerExited"/>
/// with the exit code; the remoting error adds only a stack trace. Opt in with
/// <c>builder.AddSetup(new LogFilterBuilder().Add(new WorkerNodeDisconnectLogFilter()).Build())</c>.
/// </summary>
public sealed class WorkerNodeDisconnectLogFilter : LogFilterBase
{
    // Node ActorSystems are named "{manager system}-node"; their endpoint writers carry the URL-encoded address.
    private const string NodeEndpoint = "-node%40";

    public override LogFilterType FilterType => LogFilterType.Content;

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null) =>
        content.LogSource.Contains(NodeEndpoint, StringComparison.Ordinal) && IsDisassociation(content, expandedMessage)
            ? LogFilterDecision.Drop
            : LogFilterDecision.NoDecision;

    // The exception type is internal to Akka.Remote: match it by name, in the cause or in the formatted message.
    private static bool IsDisassociation(LogEvent content, string? expandedMessage) =>
        content is Error { Cause: { } cause } && cause.GetType().Name == "EndpointDisassociatedException"
        || content is Warning && (expandedMessage ?? content.Message?.ToString() ?? "").Contains("Disassociated", StringComparison.Ordinal);
}
