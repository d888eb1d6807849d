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

    private static Slot Slot(int index, string? loaded, long lastUsed) =>
        new(index) { State = WorkerState.Idle, LoadedPlugin = loaded, LastUsed = lastUsed };
}
