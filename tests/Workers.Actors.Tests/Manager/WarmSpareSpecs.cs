using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>
/// WorkerConfig.WarmSpares with SpareRefillDelay: a spare that a job takes is replaced a little later, so that the new
/// node's start does not share the CPU with that job's first milliseconds; nodes for waiting jobs are never held back.
/// The manager starts (or not) the replacement in the same turn in which it hands the job over and publishes JobStarted,
/// so the slots' states right after JobStarted tell what it did.
/// </summary>
public sealed class WarmSpareSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    [Fact]
    public async Task Should_not_replace_a_spare_in_the_instant_a_job_takes_it() =>
        Assert.Equal(["Busy", "NotStarted"], await StatesOnceAJobTookTheSpareAsync(Never));

    [Fact]
    public async Task Should_replace_a_spare_at_once_without_a_delay() =>
        Assert.Equal(["Busy", "Starting"], await StatesOnceAJobTookTheSpareAsync(TimeSpan.Zero));

    [Fact]
    public async Task Should_replace_a_spare_taken_by_a_job_after_the_delay()
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxWorkers = 1, WarmSpares = 1, SpareRefillDelay = TimeSpan.FromMilliseconds(50) });
        var spare = await NextAsync<WorkerStarted>(Events, within: Slow);

        var job = await SubmitAsync(manager, "sleep", """{"ms":60000}""");
        await NextOfJobAsync<JobStarted>(Events, job.Id, Slow);

        var replacement = await NextAsync<WorkerStarted>(Events, within: Slow);
        Assert.NotEqual(spare.Pid, replacement.Pid);
        Assert.Equal(["Busy", "Idle"], States(await GetWorkersAsync(manager)));
    }

    [Fact]
    public async Task Should_start_a_node_for_a_waiting_job_at_once_whatever_the_delay()
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxWorkers = 2, WarmSpares = 1, SpareRefillDelay = Never });
        await NextAsync<WorkerStarted>(Events, within: Slow);

        var first = await SubmitAsync(manager, "sleep", """{"ms":60000}""");
        var second = await SubmitAsync(manager, "sleep", """{"ms":60000}""");

        // The spare took one job; a node started at once for the other; the spare itself comes back only later.
        await NextOfJobAsync<JobStarted>(Events, first.Id, Slow);
        await NextOfJobAsync<JobStarted>(Events, second.Id, Slow);
        Assert.Equal(["Busy", "Busy", "NotStarted"], States(await GetWorkersAsync(manager)));
    }

    /// <summary>The slots of a one-worker manager with one spare, right after a job has taken that spare.</summary>
    private async Task<string[]> StatesOnceAJobTookTheSpareAsync(TimeSpan refillDelay)
    {
        var manager = await StartManagerAsync(new WorkerConfig { MaxWorkers = 1, WarmSpares = 1, SpareRefillDelay = refillDelay });
        await NextAsync<WorkerStarted>(Events, within: Slow);

        var job = await SubmitAsync(manager, "sleep", """{"ms":60000}""");
        await NextOfJobAsync<JobStarted>(Events, job.Id, Slow);

        return States(await GetWorkersAsync(manager));
    }
}
