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

    private static Slot Slot(int index, string? loaded, long lastUsed) =>
        new(index) { State = WorkerState.Idle, LoadedPlugin = loaded, LastUsed = lastUsed };
}
