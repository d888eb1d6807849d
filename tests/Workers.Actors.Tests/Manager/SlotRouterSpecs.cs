using System.Collections.Immutable;
using Akka.Actor;
using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

public class SlotRouterSpecs
{
    [Fact]
    public void Should_prefer_an_idle_slot_that_has_the_plugin_loaded()
    {
        var slots = new[] { Slot(1, "markov", lastUsed: 1), Slot(2, null, lastUsed: -1), Slot(3, "echo", lastUsed: 5) };

        Assert.Equal("worker-3", SlotRouter.Choose(slots, "echo")!.WorkerId);
    }

    [Fact]
    public void Should_prefer_a_slot_with_nothing_loaded_over_unloading_another_plugin()
    {
        var slots = new[] { Slot(1, "markov", lastUsed: 1), Slot(2, null, lastUsed: -1) };

        Assert.Equal("worker-2", SlotRouter.Choose(slots, "echo")!.WorkerId);
    }

    [Fact]
    public void Should_take_the_slot_whose_plugin_was_used_least_recently_when_every_slot_has_another_plugin()
    {
        var slots = new[] { Slot(1, "markov", lastUsed: 9), Slot(2, "mandelbrot", lastUsed: 3), Slot(3, "tokens", lastUsed: 7) };

        Assert.Equal("worker-2", SlotRouter.Choose(slots, "echo")!.WorkerId);
    }

    [Fact]
    public void Should_spread_equal_choices_by_taking_the_slot_that_waited_longest()
    {
        var slots = new[] { Slot(1, "echo", lastUsed: 8), Slot(2, "echo", lastUsed: 4) };

        Assert.Equal("worker-2", SlotRouter.Choose(slots, "echo")!.WorkerId);
    }

    [Fact]
    public void Should_choose_nothing_when_no_slot_is_idle() =>
        Assert.Null(SlotRouter.Choose([], "echo"));

    [Fact]
    public void Should_send_a_pinned_plugin_only_to_the_slots_it_is_pinned_to_even_when_another_has_it_loaded()
    {
        var pins = new Dictionary<string, ImmutableArray<string>> { ["markov"] = ["gpu-1"] };
        var slots = new[] { Slot(1, "markov", lastUsed: 1), External("gpu-1", ["markov", "echo"], loaded: "echo") };

        Assert.Equal("gpu-1", SlotRouter.Choose(slots, "markov", pins)!.WorkerId);
        Assert.Null(SlotRouter.Choose([Slot(1, "markov", lastUsed: 1)], "markov", pins));
    }

    [Fact]
    public void Should_leave_unpinned_plugins_free_to_run_on_any_slot()
    {
        var pins = new Dictionary<string, ImmutableArray<string>> { ["markov"] = ["gpu-1"] };

        Assert.Equal("worker-1", SlotRouter.Choose([Slot(1, null, lastUsed: 1)], "echo", pins)!.WorkerId);
    }

    [Fact]
    public void Should_never_send_a_job_to_a_node_that_does_not_have_its_plugin()
    {
        var slots = new[] { External("gpu-1", ["mandelbrot"], loaded: null), External("gpu-2", ["echo"], loaded: "echo") };

        Assert.Equal("gpu-1", SlotRouter.Choose(slots, "mandelbrot")!.WorkerId);
        Assert.Null(SlotRouter.Choose(slots, "markov"));
    }

    [Fact]
    public void Should_let_a_slot_whose_node_has_not_registered_yet_run_whatever_the_pins_allow()
    {
        var pins = new Dictionary<string, ImmutableArray<string>> { ["markov"] = ["gpu-1"] };
        var notStarted = new Slot(1);

        Assert.True(SlotRouter.MayRun(notStarted, "echo", pins));
        Assert.False(SlotRouter.MayRun(notStarted, "markov", pins));
    }

    private static Slot External(string workerId, ImmutableArray<string> plugins, string? loaded) =>
        new(workerId, "10.0.0.2", ActorRefs.Nobody) { State = WorkerState.Idle, Plugins = plugins, LoadedPlugin = loaded };

    [Fact]
    public void Should_send_ahead_to_the_busy_slot_running_the_plugin_that_holds_fewest_jobs()
    {
        var slots = new[] { Busy(1, "echo", queued: 1), Busy(2, "echo", queued: 0), Busy(3, "markov", queued: 0) };

        Assert.Equal("worker-2", SlotRouter.ChooseAhead(slots, "echo", depth: 4, maxJobsPerWorker: null)!.WorkerId);
    }

    [Fact]
    public void Should_send_nothing_ahead_past_the_pipeline_depth()
    {
        var slots = new[] { Busy(1, "echo", queued: 1) };

        Assert.Null(SlotRouter.ChooseAhead(slots, "echo", depth: 2, maxJobsPerWorker: null));
        Assert.NotNull(SlotRouter.ChooseAhead(slots, "echo", depth: 3, maxJobsPerWorker: null));
    }

    [Fact]
    public void Should_send_nothing_ahead_to_a_slot_whose_last_job_runs_another_plugin_or_to_an_idle_slot()
    {
        var slots = new[] { Busy(1, "markov", queued: 0), Slot(2, "echo", lastUsed: 0) };

        Assert.Null(SlotRouter.ChooseAhead(slots, "echo", depth: 4, maxJobsPerWorker: null));
    }

    [Fact]
    public void Should_send_nothing_ahead_to_an_external_node()
    {
        var external = External("gpu-box", ["echo"], "echo");
        external.State = WorkerState.Busy;
        external.RunningJob = Job("echo");

        Assert.Null(SlotRouter.ChooseAhead([external], "echo", depth: 4, maxJobsPerWorker: null));
        Assert.Equal("worker-2", SlotRouter.ChooseAhead([external, Busy(2, "echo", queued: 2)], "echo", depth: 4, maxJobsPerWorker: null)!.WorkerId);
    }

    [Fact]
    public void Should_send_nothing_ahead_that_would_pass_MaxJobsPerWorker_or_to_a_slot_waiting_to_be_recycled()
    {
        var nearLimit = Busy(1, "echo", queued: 1);
        nearLimit.JobsOnNode = 7; // 7 ended + 1 running + 1 waiting: a tenth would pass 9
        var recycling = Busy(2, "echo", queued: 1);
        recycling.RecycleAfterQueued = "recycled at 900 MB";

        Assert.Null(SlotRouter.ChooseAhead([nearLimit, recycling], "echo", depth: 8, maxJobsPerWorker: 9));
        Assert.Same(nearLimit, SlotRouter.ChooseAhead([nearLimit, recycling], "echo", depth: 8, maxJobsPerWorker: 10));
    }

    private static Slot Busy(int index, string plugin, int queued)
    {
        var slot = new Slot(index) { State = WorkerState.Busy, RunningJob = Job(plugin) };
        for (var i = 0; i < queued; i++)
            slot.Queued.Add(Job(plugin));
        return slot;
    }

    private static JobRecord Job(string plugin) =>
        new($"job-{Guid.NewGuid():N}", plugin, new PluginTarget(plugin, "{}", null), "{}", new JobOptions(), 0, JobRecords.T0);

    private static Slot Slot(int index, string? loaded, long lastUsed) =>
        new(index) { State = WorkerState.Idle, LoadedPlugin = loaded, LastUsed = lastUsed };
}
