using Akka.Actor;
using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

/// <summary>The restart policy table of DESIGN.md section 3, as supervision directives.</summary>
public sealed class RestartDeciderSpecs
{
    public static TheoryData<RestartPolicy, string, Directive> Table()
    {
        var data = new TheoryData<RestartPolicy, string, Directive>();
        // After a cancellation kill: every policy but Never restarts at once.
        data.Add(RestartPolicy.Never, "cancelled", Directive.Stop);
        data.Add(RestartPolicy.OnCancellation, "cancelled", Directive.Restart);
        data.Add(RestartPolicy.Always, "cancelled", Directive.Restart);
        data.Add(RestartPolicy.Backoff, "cancelled", Directive.Restart);
        // After a crash, hang or failed start: only Always restarts at once. Never and OnCancellation start again on
        // demand; Backoff stops the proxy and the manager starts the slot again after the backoff delay.
        foreach (var fault in new[] { "crashed", "unresponsive", "start-failed" })
        {
            data.Add(RestartPolicy.Never, fault, Directive.Stop);
            data.Add(RestartPolicy.OnCancellation, fault, Directive.Stop);
            data.Add(RestartPolicy.Always, fault, Directive.Restart);
            data.Add(RestartPolicy.Backoff, fault, Directive.Stop);
        }
        foreach (var policy in Enum.GetValues<RestartPolicy>())
        {
            // Recycled between jobs on purpose (MaxJobsPerWorker, MaxWorkerMemoryMb): a fresh node whatever the policy.
            data.Add(policy, "recycled", Directive.Restart);
            // A bug in the proxy itself: a fresh proxy and node, whatever the policy.
            data.Add(policy, "proxy-bug", Directive.Restart);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Should_follow_the_policy_table(RestartPolicy policy, string cause, Directive expected)
    {
        Assert.Equal(expected, RestartDecider.Decide(policy, Cause(cause)));
    }

    [Fact]
    public void Should_cover_every_policy()
    {
        Assert.Equal(Enum.GetValues<RestartPolicy>().Length * 6, Table().Count());
    }

    [Theory]
    [InlineData("cancelled", false)]
    [InlineData("recycled", false)]
    [InlineData("crashed", true)]
    [InlineData("unresponsive", true)]
    [InlineData("start-failed", true)]
    [InlineData("proxy-bug", true)]
    public void Should_count_only_faults_against_the_budget(string cause, bool counts)
    {
        Assert.Equal(counts, RestartDecider.IsFailure(Cause(cause)));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(6, 32000)]
    [InlineData(7, 60000)]
    [InlineData(1000, 60000)]
    [InlineData(0, 1000)]
    public void Should_double_the_backoff_delay_up_to_its_maximum(int consecutiveFailures, int expectedMs)
    {
        var delay = RestartDecider.BackoffDelay(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), consecutiveFailures);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }

    [Theory]
    [InlineData(RestartPolicy.OnCancellation, Directive.Stop)]
    [InlineData(RestartPolicy.Always, Directive.Restart)]
    [InlineData(RestartPolicy.Backoff, Directive.Stop)]
    public void Should_decide_on_what_a_proxy_threw_from_its_start(RestartPolicy policy, Directive expected)
    {
        var strategy = new WorkerSupervisorStrategy(policy, (_, _, directive) => directive);
        var wrapped = new ActorInitializationException(null!, "PreStart failed", Cause("start-failed"));

        Assert.Equal(expected, strategy.Decider.Decide(wrapped));
    }

    private static Exception Cause(string name) => name switch
    {
        "cancelled" => new WorkerCancelledException("worker-1", 100000, "job-1"),
        "crashed" => new WorkerCrashedException("worker-1", 100000, "job-1", "worker process exited with code 134 (SIGABRT)"),
        "start-failed" => new WorkerStartFailedException("worker-1", null, "worker node did not register within 00:00:30"),
        "unresponsive" => new WorkerUnresponsiveException("worker-1", 100000, "job-1", "job timed out after 00:00:30"),
        "recycled" => new WorkerRecycledException("worker-1", 100000, "ran MaxJobsPerWorker = 10 jobs"),
        "proxy-bug" => new InvalidOperationException("a bug in the proxy"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
