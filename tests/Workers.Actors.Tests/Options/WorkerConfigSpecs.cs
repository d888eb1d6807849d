namespace Workers.Actors.Tests.Options;

public sealed class WorkerConfigSpecs
{
    [Fact]
    public void Should_have_the_documented_defaults()
    {
        var config = new WorkerConfig();

        config.Validate();
        Assert.Equal((0, 1000, 10, RestartPolicy.OnCancellation, 3, 1), (config.RequestQueueSize, config.ResultQueueSize, config.ResponseQueueSize, config.RestartPolicy, config.MaxRestartAttempts, config.MaxWorkers));
        Assert.Equal(
            [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)],
            new[] { config.RestartBackoffBase, config.RestartBackoffMax, config.WorkerStartTimeout, config.ReloadTimeout, config.UnloadTimeout, config.ShutdownTimeout });
        Assert.Equal(((TimeSpan?)null, (int?)null, (int?)null, 0), (config.JobTimeout, config.MaxJobsPerWorker, config.MaxWorkerMemoryMb, config.WarmSpares));
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.SpareRefillDelay);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), (config.HeartbeatInterval, config.HeartbeatTimeout));
    }

    public static TheoryData<string, WorkerConfig> BadSettings() => new()
    {
        { nameof(WorkerConfig.RequestQueueSize), new WorkerConfig { RequestQueueSize = -1 } },
        { nameof(WorkerConfig.ResultQueueSize), new WorkerConfig { ResultQueueSize = 0 } },
        { nameof(WorkerConfig.ResponseQueueSize), new WorkerConfig { ResponseQueueSize = 0 } },
        { nameof(WorkerConfig.MaxWorkers), new WorkerConfig { MaxWorkers = 0 } },
        { nameof(WorkerConfig.MaxRestartAttempts), new WorkerConfig { MaxRestartAttempts = -1 } },
        { nameof(WorkerConfig.RestartBackoffBase), new WorkerConfig { RestartBackoffBase = TimeSpan.Zero } },
        { nameof(WorkerConfig.RestartBackoffMax), new WorkerConfig { RestartBackoffBase = TimeSpan.FromSeconds(10), RestartBackoffMax = TimeSpan.FromSeconds(5) } },
        { nameof(WorkerConfig.WorkerStartTimeout), new WorkerConfig { WorkerStartTimeout = TimeSpan.Zero } },
        { nameof(WorkerConfig.ReloadTimeout), new WorkerConfig { ReloadTimeout = TimeSpan.FromSeconds(-1) } },
        { nameof(WorkerConfig.UnloadTimeout), new WorkerConfig { UnloadTimeout = TimeSpan.Zero } },
        { nameof(WorkerConfig.ShutdownTimeout), new WorkerConfig { ShutdownTimeout = TimeSpan.Zero } },
        { nameof(WorkerConfig.JobTimeout), new WorkerConfig { JobTimeout = TimeSpan.Zero } },
        { nameof(WorkerConfig.MaxJobsPerWorker), new WorkerConfig { MaxJobsPerWorker = 0 } },
        { nameof(WorkerConfig.MaxWorkerMemoryMb), new WorkerConfig { MaxWorkerMemoryMb = 0 } },
        { nameof(WorkerConfig.WarmSpares), new WorkerConfig { WarmSpares = -1 } },
        { nameof(WorkerConfig.SpareRefillDelay), new WorkerConfig { SpareRefillDelay = TimeSpan.FromMilliseconds(-1) } },
        { nameof(WorkerConfig.HeartbeatInterval), new WorkerConfig { HeartbeatInterval = TimeSpan.Zero } },
        { nameof(WorkerConfig.HeartbeatTimeout), new WorkerConfig { HeartbeatInterval = TimeSpan.FromSeconds(1), HeartbeatTimeout = TimeSpan.FromSeconds(1.5) } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Should_name_the_setting_that_cannot_work(string property, WorkerConfig config)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(config.Validate);

        Assert.Equal(property, error.ParamName);
        Assert.StartsWith(property + " must", error.Message);
    }

    [Fact]
    public void Should_accept_the_smallest_useful_settings()
    {
        new WorkerConfig
        {
            ResultQueueSize = 1, ResponseQueueSize = 1, MaxWorkers = 1, MaxRestartAttempts = 0,
            RestartBackoffBase = TimeSpan.FromMilliseconds(1), RestartBackoffMax = TimeSpan.FromMilliseconds(1),
            JobTimeout = TimeSpan.FromMilliseconds(1), MaxJobsPerWorker = 1, MaxWorkerMemoryMb = 1, SpareRefillDelay = TimeSpan.Zero,
        }.Validate();
    }
}
