namespace Workers.Actors.Manager;

/// <summary>
/// How long each plugin's jobs have recently taken, from the manager's side: from the job's start (sent to an idle
/// node, or the outcome of the job before it on a busy one) to its outcome. Sets how many of a plugin's jobs a busy
/// node holds ahead (<see cref="WorkerConfig.PipelineWindow"/>): many of the short ones, none of the long ones, so that a
/// long job never waits on a busy node while another node frees up. Only the manager actor touches it.
/// </summary>
internal sealed class RunTimes
{
    // Weight of the newest job in the moving average: a plugin whose jobs turn long is seen within a few jobs.
    private const double Weight = 0.25;

    private readonly Dictionary<string, double> _averageTicks = [];

    /// <summary>A job of the plugin ended (completed or failed on its node) after <paramref name="ran"/>.</summary>
    public void Record(string pluginName, TimeSpan ran)
    {
        var ticks = Math.Max(0, ran.Ticks);
        _averageTicks[pluginName] = _averageTicks.TryGetValue(pluginName, out var average)
            ? average + Weight * (ticks - average)
            : ticks;
    }

    /// <summary>The plugin's recent run time; null before one of its jobs has ended.</summary>
    public TimeSpan? Average(string pluginName) =>
        _averageTicks.TryGetValue(pluginName, out var ticks) ? TimeSpan.FromTicks((long)ticks) : null;

    /// <summary>
    /// How many of the plugin's jobs a busy node may hold, the running one included: <see cref="WorkerConfig.PipelineDepth"/>
    /// without a <see cref="WorkerConfig.PipelineWindow"/>; else one more per recent run time that fits in the window,
    /// at most <see cref="WorkerConfig.PipelineDepth"/>, and 1 (none ahead) until a job of the plugin has ended.
    /// </summary>
    public int Depth(string pluginName, WorkerConfig config)
    {
        if (config.PipelineWindow is not { } window)
            return config.PipelineDepth;
        if (!_averageTicks.TryGetValue(pluginName, out var ticks))
            return 1;
        var ahead = window.Ticks / Math.Max(1.0, ticks);
        return ahead >= config.PipelineDepth - 1 ? config.PipelineDepth : 1 + (int)ahead;
    }
}
