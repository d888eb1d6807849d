using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

public sealed class SlotPlannerSpecs
{
    [Theory]
    // busy, ready, free, pending, maxWorkers, warmSpares → nodes to start
    [InlineData(0, 0, 1, 0, 1, 0, 0)] // nothing to run: nodes start on first need only
    [InlineData(0, 0, 1, 1, 1, 0, 1)]
    [InlineData(0, 0, 3, 5, 3, 0, 3)] // no more than MaxWorkers for the jobs
    [InlineData(0, 1, 2, 5, 3, 0, 2)] // a starting or idle node counts
    [InlineData(3, 0, 0, 5, 3, 0, 0)] // every slot busy
    [InlineData(0, 0, 2, 0, 1, 1, 1)] // a warm spare starts with no job
    [InlineData(1, 0, 1, 4, 1, 1, 1)] // MaxWorkers busy: only the spare
    [InlineData(0, 0, 1, 5, 3, 2, 1)] // never more than the free slots
    public void Should_start_nodes_for_runnable_jobs_and_spares(int busy, int ready, int free, int pending, int maxWorkers, int warmSpares, int expected)
    {
        Assert.Equal(expected, SlotPlanner.NodesToStart(busy, ready, free, pending, maxWorkers, warmSpares));
    }

    [Theory]
    [InlineData(0, 1, true)]
    [InlineData(1, 1, false)]
    [InlineData(2, 3, true)]
    public void Should_run_at_most_MaxWorkers_jobs_at_once(int busy, int maxWorkers, bool expected)
    {
        Assert.Equal(expected, SlotPlanner.MayRunAnother(busy, maxWorkers));
    }
}
