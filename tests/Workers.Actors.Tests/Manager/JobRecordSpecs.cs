using System.Text.Json;
using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

public sealed class JobRecordSpecs
{
    private static readonly DateTimeOffset T1 = JobRecords.T0.AddSeconds(1);
    private static readonly DateTimeOffset T2 = JobRecords.T0.AddSeconds(2);
    private static readonly JsonElement Result = JsonDocument.Parse("""{"text":"done"}""").RootElement.Clone();

    [Fact]
    public void Should_start_pending_with_its_options_and_a_copy_of_the_metadata()
    {
        var metadata = new Dictionary<string, string> { ["user"] = "ann" };
        var job = JobRecords.New("a", options: new JobOptions { Metadata = metadata });
        metadata["user"] = "changed";

        var snapshot = job.ToSnapshot();

        Assert.Equal(new JobSnapshot("a", "echo", JobStatus.Pending, JobRecords.T0, null, null, null, null, snapshot.Metadata, null, null), snapshot);
        Assert.Equal("ann", snapshot.Metadata["user"]);
        Assert.False(snapshot.IsTerminal);
    }

    [Fact]
    public void Should_record_where_and_when_it_ran_and_how_it_ended()
    {
        var job = JobRecords.New("a");

        job.MarkRunning("worker-2", 100123, stream: true, T1);
        Assert.NotNull(job.StreamedText);
        job.Complete(Result, T2);

        var snapshot = job.ToSnapshot();
        Assert.Equal((JobStatus.Completed, "worker-2", 100123, T1, T2), (snapshot.Status, snapshot.WorkerId, snapshot.WorkerPid!.Value, snapshot.StartedAt!.Value, snapshot.CompletedAt!.Value));
        Assert.Equal("done", snapshot.Result!.Value.GetProperty("text").GetString());
        Assert.True(snapshot.IsTerminal);
        // What only a running job needs is dropped.
        Assert.Null(job.ParametersJson);
        Assert.Null(job.StreamedText);
    }

    [Fact]
    public void Should_stream_only_when_asked()
    {
        var job = JobRecords.New("a");

        job.MarkRunning("worker-1", 100000, stream: false, T1);

        Assert.Null(job.StreamedText);
    }

    [Fact]
    public void Should_keep_the_error_of_a_failed_job()
    {
        var job = JobRecords.New("a");

        job.Fail("worker process exited with code 134 (SIGABRT) while running the job", T1);

        Assert.Equal((JobStatus.Failed, "worker process exited with code 134 (SIGABRT) while running the job", (JsonElement?)null),
            (job.Status, job.Error, job.Result));
    }

    [Fact]
    public void Should_never_leave_a_terminal_status()
    {
        var cancelled = JobRecords.New("a");
        cancelled.Cancel(T1);

        var complete = Assert.Throws<InvalidOperationException>(() => cancelled.Complete(Result, T2));
        Assert.Throws<InvalidOperationException>(() => cancelled.Fail("late", T2));
        Assert.Throws<InvalidOperationException>(() => cancelled.Cancel(T2));
        Assert.Throws<InvalidOperationException>(() => cancelled.MarkRunning("worker-1", 100000, false, T2));

        Assert.Contains("already Cancelled", complete.Message);
        Assert.Equal((JobStatus.Cancelled, T1, (JsonElement?)null), (cancelled.Status, cancelled.CompletedAt!.Value, cancelled.Result));
    }

    [Fact]
    public void Should_run_only_once()
    {
        var job = JobRecords.New("a");
        job.MarkRunning("worker-1", 100000, false, T1);

        Assert.Throws<InvalidOperationException>(() => job.MarkRunning("worker-2", 100001, false, T2));
        Assert.Equal("worker-1", job.WorkerId);
    }
}
