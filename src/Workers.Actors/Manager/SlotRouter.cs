using System.Collections.Immutable;

namespace Workers.Actors.Manager;

/// <summary>
/// Which idle slot a job goes to. First, which slots may run the job at all: the slot's node must have the job's
/// plugin (an external node loads only the assemblies of its own <c>--plugins</c>), and a plugin pinned by
/// <see cref="JobManagerOptions.PinnedPlugins"/> runs only on the slots it is pinned to. Among those, plugin affinity:
/// one that already has the job's plugin loaded, else one with nothing loaded, else the one whose plugin was used
/// least recently (its node unloads it to load the new one). Among equals, the slot that has waited longest.
/// Pure: the manager passes the idle slots, the job's plugin and the pins.
/// </summary>
internal static class SlotRouter
{
    private static readonly IReadOnlyDictionary<string, ImmutableArray<string>> NoPins = ImmutableDictionary<string, ImmutableArray<string>>.Empty;

    public static Slot? Choose(IReadOnlyList<Slot> idle, string pluginName) => Choose(idle, pluginName, NoPins);

    // The slots come as a list and are walked by index: a foreach over an interface would allocate an enumerator per job.
    public static Slot? Choose(IReadOnlyList<Slot> idle, string pluginName, IReadOnlyDictionary<string, ImmutableArray<string>> pins)
    {
        Slot? best = null;
        for (var i = 0; i < idle.Count; i++)
        {
            var slot = idle[i];
            if (!MayRun(slot, pluginName, pins))
                continue;
            if (best is null || Rank(slot, pluginName) < Rank(best, pluginName)
                || (Rank(slot, pluginName) == Rank(best, pluginName) && slot.LastUsed < best.LastUsed))
                best = slot;
        }
        return best;
    }

    /// <summary>
    /// Whether the slot may ever run jobs of the plugin. A slot whose node has not registered yet has no plugin list:
    /// only the pins count for it (spawned nodes load every assembly of the manager's options).
    /// </summary>
    public static bool MayRun(Slot slot, string pluginName, IReadOnlyDictionary<string, ImmutableArray<string>> pins) =>
        (slot.Plugins.IsDefaultOrEmpty || slot.Plugins.Contains(pluginName))
        && (!pins.TryGetValue(pluginName, out var allowed) || allowed.Contains(slot.WorkerId));

    private static int Rank(Slot slot, string pluginName) => slot.LoadedPlugin switch
    {
        { } loaded when loaded == pluginName => 0,
        null => 1,
        _ => 2,
    };

    /// <summary>
    /// Which busy spawned slot a job is sent ahead to (an external node takes one job at a time: its proxy holds none
    /// ahead): one whose node runs, or will run last, the same plugin, holds fewer than
    /// <paramref name="depth"/> jobs, would not pass <paramref name="maxJobsPerWorker"/> with it, and is not waiting to
    /// be recycled. The one holding fewest jobs, then the one that has waited longest; null if none.
    /// </summary>
    public static Slot? ChooseAhead(IReadOnlyList<Slot> slots, string pluginName, int depth, int? maxJobsPerWorker)
    {
        Slot? best = null;
        for (var i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            if (slot is not { IsExternal: false, State: WorkerState.Busy, RunningJob: { } running, RecycleAfterQueued: null })
                continue;
            var held = 1 + slot.Queued.Count;
            var last = slot.Queued.Count > 0 ? slot.Queued[^1] : running;
            if (last.PluginName != pluginName || held >= depth
                || (maxJobsPerWorker is { } most && slot.JobsOnNode + held + 1 > most))
                continue;
            if (best is null || held < 1 + best.Queued.Count || (held == 1 + best.Queued.Count && slot.LastUsed < best.LastUsed))
                best = slot;
        }
        return best;
    }
}
