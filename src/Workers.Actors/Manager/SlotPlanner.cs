namespace Workers.Actors.Manager;

/// <summary>
/// How many slots should have a node. Jobs run on at most <c>MaxWorkers</c> slots at once; the
/// <c>WarmSpares</c> extra slots keep registered nodes ready so that a slot whose node was killed is replaced
/// without a cold start. Nodes start on first need, spares as soon as the manager starts (and, once a job has taken
/// one, <c>SpareRefillDelay</c> later: see <c>JobManagerActor.Dispatch</c>).
/// </summary>
internal static class SlotPlanner
{
    /// <summary>How many more nodes to start now.</summary>
    /// <param name="busy">slots running a job</param>
    /// <param name="ready">slots idle or starting</param>
    /// <param name="free">slots with no node that may be started</param>
    public static int NodesToStart(int busy, int ready, int free, int pending, int maxWorkers, int warmSpares)
    {
        var runnableNow = Math.Min(pending, Math.Max(0, maxWorkers - busy));
        var wanted = runnableNow + warmSpares;
        return Math.Clamp(wanted - ready, 0, free);
    }

    /// <summary>Whether another job may start: fewer than <c>MaxWorkers</c> slots are busy.</summary>
    public static bool MayRunAnother(int busy, int maxWorkers) => busy < maxWorkers;
}
