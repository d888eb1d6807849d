namespace Workers.Actors;

/// <summary>Limits and timings of a manager's worker slots. The names follow the original library's WorkerConfig.</summary>
public sealed record WorkerConfig
{
    /// <summary>The most pending jobs; a submission beyond it is rejected. 0 (default) means unlimited.</summary>
    public int RequestQueueSize { get; init; }

    /// <summary>
    /// The most stream chunks in flight between a node and the manager (default 1,000). A faster plugin is slowed down.
    /// The original's result queue held 100 messages; here the window is counted in chunks, which travel in batches,
    /// and 100 would cap a stream at about 100 chunks per acknowledgement round trip (~100,000 chunks/s).
    /// </summary>
    public int ResultQueueSize { get; init; } = 1000;

    /// <summary>The most plugin commands (reload, unload) waiting for their nodes at once (default 10); beyond it a command is refused.</summary>
    public int ResponseQueueSize { get; init; } = 10;

    /// <summary>Default <see cref="Actors.RestartPolicy.OnCancellation"/>.</summary>
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.OnCancellation;

    /// <summary>Consecutive failures (never cancellations) a slot may have before it is Failed (default 3).</summary>
    public int MaxRestartAttempts { get; init; } = 3;

    /// <summary>First backoff delay (default 1 s).</summary>
    public TimeSpan RestartBackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest backoff delay (default 60 s).</summary>
    public TimeSpan RestartBackoffMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Worker slots, each its own node process (default 1).</summary>
    public int MaxWorkers { get; init; } = 1;

    /// <summary>How long a started node has to register before it is killed (default 30 s).</summary>
    public TimeSpan WorkerStartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a reload may take on a node (default 30 s).</summary>
    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an unload may take on a node (default 10 s).</summary>
    public TimeSpan UnloadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a node has to exit when asked before it is killed (default 5 s).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default per-job time limit; null (default) means none.</summary>
    public TimeSpan? JobTimeout { get; init; }

    /// <summary>Replace a node after this many jobs; null (default) means never.</summary>
    public int? MaxJobsPerWorker { get; init; }

    /// <summary>Replace a node, between jobs, once its memory exceeds this; null (default) means never.</summary>
    public int? MaxWorkerMemoryMb { get; init; }

    /// <summary>Registered spare nodes kept ready so a killed node's slot starts without a cold start (default 0).</summary>
    public int WarmSpares { get; init; }

    /// <summary>
    /// How long after a job takes a warm spare the spare is replaced (default 100 ms; zero: at once). A node's start
    /// takes a few hundred milliseconds of CPU; started in the same instant, it would share the CPU with the job that
    /// took the spare from that job's first millisecond. Nodes for jobs that are waiting are never held back.
    /// </summary>
    public TimeSpan SpareRefillDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Whether a node loads the configured plugins as soon as it registers, before its first job (default true), as the
    /// original library's workers do when they start: a warm spare, and a node restarted after a cancel or a crash, then
    /// has its models loaded before a job needs them. Configured means: with a plugin registry, every plugin of the
    /// manager's <see cref="JobManagerOptions.Category"/> that the registry marks configured; without one, every plugin
    /// with a configuration in <see cref="JobManagerOptions.PluginConfigs"/> or from a <see cref="ReloadPlugin"/>.
    /// Other plugins load on their first job. A plugin that fails to load is logged and left unloaded (its jobs load it
    /// again, and fail with the error). False: every plugin loads on its first job.
    /// </summary>
    public bool LoadPluginsOnStart { get; init; } = true;

    /// <summary>
    /// The most jobs a node holds at once: the one it runs and, behind it, up to <c>PipelineDepth - 1</c> more of the same
    /// plugin sent ahead, so that it starts the next one without waiting a round trip to the manager (default 512; 1
    /// sends a node one job at a time). Jobs are sent ahead only while every slot allowed to run jobs is busy, and only
    /// as many as <see cref="PipelineWindow"/> allows. A job sent ahead stays Pending until the node starts it;
    /// cancelling it removes it from the node without touching the running job, and if the node dies it goes back to the
    /// manager's queue. A node past <see cref="MaxWorkerMemoryMb"/> is recycled only once the jobs it holds are done.
    /// </summary>
    public int PipelineDepth { get; init; } = 512;

    /// <summary>
    /// How much work, by its plugin's recent run times, a busy node holds ahead of the job it runs (default 20 ms): a
    /// node holds 1 + <c>PipelineWindow / run time</c> jobs, at most <see cref="PipelineDepth"/>. Short jobs thus go ahead
    /// by the hundred (the benchmark's no-op jobs: 1.2 to 2 times the jobs per second of the former fixed 64, on the
    /// 2-core machine), and jobs longer than the window not at all: none waits on a busy node while another node frees
    /// up. A plugin's first jobs are not sent ahead (its run time is not known yet). The run time is the manager's view,
    /// from a job's start to its outcome (an average weighted to the last few jobs). Null: always
    /// <see cref="PipelineDepth"/>.
    /// </summary>
    public TimeSpan? PipelineWindow { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often a node tells its manager it is alive, with its memory use (default 1 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A registered node silent for this long (stopped, hung, or cut off) is killed and its job failed (default 10 s).
    /// Keep it several heartbeat intervals long: a node whose plugin saturates the CPU may answer late.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (RequestQueueSize < 0)
            throw new ArgumentOutOfRangeException(nameof(RequestQueueSize), RequestQueueSize, "RequestQueueSize must be 0 (unlimited) or more.");
        if (ResultQueueSize < 1)
            throw new ArgumentOutOfRangeException(nameof(ResultQueueSize), ResultQueueSize, "ResultQueueSize must be at least 1: it is the number of stream chunks allowed in flight.");
        if (ResponseQueueSize < 1)
            throw new ArgumentOutOfRangeException(nameof(ResponseQueueSize), ResponseQueueSize, "ResponseQueueSize must be at least 1.");
        if (MaxWorkers < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxWorkers), MaxWorkers, "MaxWorkers must be at least 1.");
        if (MaxRestartAttempts < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRestartAttempts), MaxRestartAttempts, "MaxRestartAttempts must be 0 or more.");
        if (RestartBackoffBase <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(RestartBackoffBase), RestartBackoffBase, "RestartBackoffBase must be positive.");
        if (RestartBackoffMax < RestartBackoffBase)
            throw new ArgumentOutOfRangeException(nameof(RestartBackoffMax), RestartBackoffMax, "RestartBackoffMax must not be shorter than RestartBackoffBase.");
        Positive(WorkerStartTimeout, nameof(WorkerStartTimeout));
        Positive(ReloadTimeout, nameof(ReloadTimeout));
        Positive(UnloadTimeout, nameof(UnloadTimeout));
        Positive(ShutdownTimeout, nameof(ShutdownTimeout));
        if (JobTimeout is { } timeout)
            Positive(timeout, nameof(JobTimeout));
        if (MaxJobsPerWorker is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxJobsPerWorker), MaxJobsPerWorker, "MaxJobsPerWorker must be at least 1, or null for no limit.");
        if (MaxWorkerMemoryMb is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxWorkerMemoryMb), MaxWorkerMemoryMb, "MaxWorkerMemoryMb must be at least 1, or null for no limit.");
        Positive(HeartbeatInterval, nameof(HeartbeatInterval));
        if (HeartbeatTimeout < HeartbeatInterval * 2)
            throw new ArgumentOutOfRangeException(nameof(HeartbeatTimeout), HeartbeatTimeout, "HeartbeatTimeout must be at least twice HeartbeatInterval.");
        if (PipelineDepth < 1)
            throw new ArgumentOutOfRangeException(nameof(PipelineDepth), PipelineDepth, "PipelineDepth must be at least 1 (1: one job at a time per node).");
        if (PipelineWindow is { } window && window < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(PipelineWindow), window, "PipelineWindow must not be negative (null: always PipelineDepth).");
        if (WarmSpares < 0)
            throw new ArgumentOutOfRangeException(nameof(WarmSpares), WarmSpares, "WarmSpares must be 0 or more.");
        if (SpareRefillDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(SpareRefillDelay), SpareRefillDelay, "SpareRefillDelay must not be negative (zero: at once).");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}
