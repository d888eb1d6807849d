namespace Workers.Actors.Manager;

/// <summary>
/// Which idle slot a job goes to (plugin affinity): one that already has the job's plugin loaded, else one with
/// nothing loaded, else the one whose plugin was used least recently (its node unloads it to load the new one).
/// Among equals, the slot that has waited longest. Pure: the manager passes the idle slots and the job's plugin.
/// </summary>
internal static class SlotRouter
{
    public static Slot? Choose(IEnumerable<Slot> idle, string pluginName)
    {
        Slot? best = null;
        foreach (var slot in idle)
        {
            if (best is null || Rank(slot, pluginName) < Rank(best, pluginName)
                || (Rank(slot, pluginName) == Rank(best, pluginName) && slot.LastUsed < best.LastUsed))
                best = slot;
        }
        return best;
    }

    private static int Rank(Slot slot, string pluginName) => slot.LoadedPlugin switch
    {
        { } loaded when loaded == pluginName => 0,
        null => 1,
        _ => 2,
    };
}
