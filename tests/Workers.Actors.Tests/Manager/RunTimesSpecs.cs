using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

/// <summary>How many of a plugin's jobs a busy node holds, from how long the plugin's recent jobs took.</summary>
public sealed class RunTimesSpecs
{
    private static readonly WorkerConfig Config = new() { PipelineDepth = 100, PipelineWindow = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public void Should_send_none_ahead_until_a_job_of_the_plugin_has_ended()
    {
        var times = new RunTimes();
        times.Record("other", TimeSpan.FromMicroseconds(10));

        Assert.Equal(1, times.Depth("echo", Config));
        Assert.Null(times.Average("echo"));
    }

    [Theory]
    [InlineData(30_000, 1)] // longer than the window: none ahead
    [InlineData(20_000, 2)] // one run time fits the window
    [InlineData(5_000, 5)] // four fit
    [InlineData(1_000, 21)]
    [InlineData(10, 100)] // two thousand would fit: PipelineDepth caps it
    [InlineData(0, 100)]
    public void Should_hold_one_job_more_per_run_time_that_fits_in_the_window_up_to_the_depth(int microseconds, int depth)
    {
        var times = new RunTimes();
        times.Record("echo", TimeSpan.FromMicroseconds(microseconds));

        Assert.Equal(depth, times.Depth("echo", Config));
    }

    [Fact]
    public void Should_always_hold_the_depth_without_a_window()
    {
        var times = new RunTimes();
        var fixedDepth = Config with { PipelineWindow = null };

        Assert.Equal(100, times.Depth("echo", fixedDepth));
        times.Record("echo", TimeSpan.FromSeconds(30));
        Assert.Equal(100, times.Depth("echo", fixedDepth));
    }

    [Fact]
    public void Should_follow_a_plugin_whose_jobs_turn_long_within_a_few_jobs_and_back()
    {
        var times = new RunTimes();
        for (var i = 0; i < 10; i++)
            times.Record("sleep", TimeSpan.FromMicroseconds(10));
        Assert.Equal(100, times.Depth("sleep", Config));

        // A 10 s job moves the average by a quarter of the difference: none go ahead behind a plugin turned long.
        times.Record("sleep", TimeSpan.FromSeconds(10));
        Assert.InRange(times.Average("sleep")!.Value, TimeSpan.FromSeconds(2.499), TimeSpan.FromSeconds(2.501));
        Assert.Equal(1, times.Depth("sleep", Config));

        // Short jobs again bring the depth back, each taking a quarter of the way.
        for (var i = 0; i < 60; i++)
            times.Record("sleep", TimeSpan.FromMicroseconds(10));
        Assert.Equal(100, times.Depth("sleep", Config));
    }
}
