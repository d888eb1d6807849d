namespace Workers.Benchmarks.Harness;

/// <summary>
/// The sizes of the workloads. The full run uses the sizes of DESIGN section 10; <c>--quick</c> shrinks every
/// workload (and runs it once) so that a smoke run of all of them finishes in under a minute.
/// </summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: Workers.Benchmarks [--quick] [--runs <n>] [--only <text>] [--pipeline-depth <n>] [--pipeline-window <ms|none>]
                                 [--throughput-jobs <n>]
               Workers.Benchmarks --pong [direct]  (the ping-pong peer; started by the benchmark itself)

          --quick        fewer jobs and iterations, one run: a smoke run of every workload in under a minute
          --runs <n>     runs of every workload (default 3; 1 with --quick)
          --only <text>  run only the workloads whose name contains <text> (the ping-pong baseline always runs)
          --pipeline-depth <n>  WorkerConfig.PipelineDepth of every manager (default: the library's default)
          --pipeline-window <ms|none>  WorkerConfig.PipelineWindow of every manager (none: always PipelineDepth)
          --throughput-jobs <n> jobs per W1 run (default 10,000, as DESIGN section 10 says; more shows the steady state)
        """;

    public bool Quick { get; init; }
    public int Runs { get; init; } = 3;
    public string? Only { get; init; }

    /// <summary>Overrides <see cref="Workers.Actors.WorkerConfig.PipelineDepth"/>, to choose its default by measurement.</summary>
    public int? PipelineDepth { get; init; }

    /// <summary>Overrides <see cref="Workers.Actors.WorkerConfig.PipelineWindow"/> with <see cref="PipelineWindow"/> (null included).</summary>
    public bool SetsPipelineWindow { get; init; }

    public TimeSpan? PipelineWindow { get; init; }

    /// <summary>Echo jobs run on each node before a measurement, so that node start and JIT stay out of it.</summary>
    public int WarmUpJobs { get; init; } = 2_000;

    public int ThroughputJobs { get; init; } = 10_000;
    public int LatencyJobs { get; init; } = 1_000;
    public int StreamChunks { get; init; } = 100_000;
    public int MemoryJobs { get; init; } = 100_000;

    /// <summary>Finished jobs in the job store that a manager reads back when it starts.</summary>
    public int RecoveryJobs { get; init; } = 100_000;

    /// <summary>Measurements per run of the workloads that each need a fresh node or manager (cancel, crash, cold start).</summary>
    public int Iterations { get; init; } = 3;

    public int PingLatencyCount { get; init; } = 1_000;
    public int PingThroughputCount { get; init; } = 200_000;
    public int PingWindow { get; init; } = 1_000;

    /// <summary>Longest wait for any one step before the workload is reported as failed.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        int? runs = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    options = options with
                    {
                        Quick = true,
                        Runs = 1,
                        WarmUpJobs = 100,
                        ThroughputJobs = 1_000,
                        LatencyJobs = 300,
                        StreamChunks = 20_000,
                        MemoryJobs = 3_000,
                        RecoveryJobs = 10_000,
                        Iterations = 1,
                        PingLatencyCount = 300,
                        PingThroughputCount = 10_000,
                        StepTimeout = TimeSpan.FromSeconds(30),
                    };
                    break;
                case "--runs" when i + 1 < args.Count && int.TryParse(args[i + 1], out var n) && n > 0:
                    runs = n;
                    i++;
                    break;
                case "--pipeline-depth" when i + 1 < args.Count && int.TryParse(args[i + 1], out var depth) && depth > 0:
                    options = options with { PipelineDepth = depth };
                    i++;
                    break;
                case "--pipeline-window" when i + 1 < args.Count && args[i + 1] == "none":
                    options = options with { SetsPipelineWindow = true, PipelineWindow = null };
                    i++;
                    break;
                case "--pipeline-window" when i + 1 < args.Count && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms >= 0:
                    options = options with { SetsPipelineWindow = true, PipelineWindow = TimeSpan.FromMilliseconds(ms) };
                    i++;
                    break;
                case "--throughput-jobs" when i + 1 < args.Count && int.TryParse(args[i + 1], out var jobs) && jobs > 0:
                    options = options with { ThroughputJobs = jobs };
                    i++;
                    break;
                case "--only" when i + 1 < args.Count:
                    options = options with { Only = args[++i] };
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete argument \"{args[i]}\".");
            }
        }
        return runs is { } count ? options with { Runs = count } : options;
    }
}
