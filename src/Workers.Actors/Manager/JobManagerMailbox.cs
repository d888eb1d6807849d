using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Workers.Actors.Proxy;

namespace Workers.Actors.Manager;

/// <summary>
/// The manager's mailbox: what the slots' proxies report (a job's outcome, chunks, progress, a node ready or alive)
/// is handled before what clients ask (a submit, a cancel, a query), each kind in arrival order. A burst of submits
/// then never keeps the manager from hearing that nodes finished jobs and from giving them the next ones: with 10,000
/// jobs submitted at once, a node otherwise ran the jobs it held and waited, idle, until the manager had taken every
/// submit (gaps of 100–400 ms). The benchmark's W1 on one node, 3 alternating rounds of 3 runs: 42,400, 46,400 and
/// 38,000 jobs/s with this mailbox, 30,300, 27,100 and 30,000 without. Only the proxies send these types, so each
/// proxy's messages keep their order.
/// </summary>
/// <remarks>
/// Configured as <c>workers-job-manager-mailbox</c> in hocon/manager.hocon (part of
/// <see cref="WorkersConfiguration.Manager"/> and of <c>WithWorkers</c>); <see cref="JobManagerActor.Props"/> asks for it.
/// </remarks>
internal sealed class JobManagerMailbox(Settings settings, Config config) : UnboundedStablePriorityMailbox(settings, config)
{
    /// <summary>The mailbox's path in the configuration.</summary>
    public const string Id = "workers-job-manager-mailbox";

    protected override int PriorityGenerator(object message) => message switch
    {
        NodeJobSucceeded or NodeJobFailed or NodeChunks or NodeProgress or QueuedJobCancelled or NodeHeartbeat or SlotReady => 0,
        _ => 1,
    };
}
