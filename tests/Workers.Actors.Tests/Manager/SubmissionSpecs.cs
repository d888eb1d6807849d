using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>What a manager accepts, and what it rejects with a reason.</summary>
public sealed class SubmissionSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    [Fact]
    public async Task Should_reject_an_unknown_plugin_and_name_the_known_ones()
    {
        var manager = await StartManagerAsync();

        var reason = await RejectedAsync(manager, new StartJob("no-such-plugin", Json("{}")));

        Assert.Contains("Unknown plugin \"no-such-plugin\"", reason);
        Assert.Contains("echo", reason);
        Assert.Empty(await GetAllJobsAsync(manager));
        Assert.Empty(Launcher.Nodes);
    }

    [Theory]
    [InlineData("[1,2]", "Array")]
    [InlineData("\"text\"", "String")]
    [InlineData("42", "Number")]
    [InlineData("true", "True")]
    public async Task Should_reject_parameters_that_are_not_an_object(string parameters, string kind)
    {
        var manager = await StartManagerAsync();

        var reason = await RejectedAsync(manager, new StartJob("echo", Json(parameters)));

        Assert.Equal($"Parameters must be a JSON object (or omitted), got {kind}.", reason);
    }

    [Fact]
    public async Task Should_accept_omitted_parameters()
    {
        var manager = await StartManagerAsync();

        manager.Tell(new StartJob("echo", default), Client.Ref);
        var job = (await Client.ExpectMsgAsync<JobAccepted>()).Job;

        await NextOfJobAsync<JobCompleted>(Events, job.Id);
    }

    [Fact]
    public async Task Should_reject_a_job_when_the_queue_is_full()
    {
        var manager = await StartManagerAsync(new WorkerConfig { RequestQueueSize = 2 });
        var running = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id); // a running job does not count
        await SubmitAsync(manager, "echo");
        await SubmitAsync(manager, "echo");

        var rejected = await RejectionAsync(manager, new StartJob("echo", Json("{}")));
        var invalid = await RejectionAsync(manager, new StartJob("no-such-plugin", Json("{}")));

        Assert.Contains("queue is full", rejected.Reason);
        Assert.Contains("RequestQueueSize = 2", rejected.Reason);
        Assert.Equal(JobRejectionKind.QueueFull, rejected.Kind);
        Assert.Equal(JobRejectionKind.Invalid, invalid.Kind); // what is wrong with the job comes before the full queue
        Assert.Equal(3, (await GetAllJobsAsync(manager)).Count);
    }

    [Fact]
    public async Task Should_make_room_in_the_queue_when_a_pending_job_is_cancelled()
    {
        var manager = await StartManagerAsync(new WorkerConfig { RequestQueueSize = 1 });
        var running = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, running.Id);
        var pending = await SubmitAsync(manager, "echo");
        await RejectedAsync(manager, new StartJob("echo", Json("{}")));

        await CancelAsync(manager, pending.Id);

        await SubmitAsync(manager, "echo");
    }

    [Fact]
    public async Task Should_return_the_same_job_for_the_same_job_id()
    {
        var manager = await StartManagerAsync();
        var options = new JobOptions { JobId = "order-42" };

        var first = await SubmitAsync(manager, "echo", """{"text":"a"}""", options);
        var second = await SubmitAsync(manager, "echo", """{"text":"b"}""", options);

        Assert.Equal("order-42", first.Id);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.Single(await GetAllJobsAsync(manager));
        var completed = await NextOfJobAsync<JobCompleted>(Events, "order-42");
        Assert.Equal("a", completed.Result.GetProperty("text").GetString());
        // Still the same job once it has finished.
        Assert.Equal(JobStatus.Completed, (await SubmitAsync(manager, "echo", "{}", options)).Status);
    }

    [Fact]
    public async Task Should_reject_the_same_job_id_for_another_plugin()
    {
        var manager = await StartManagerAsync();
        await SubmitAsync(manager, "echo", "{}", new JobOptions { JobId = "taken" });

        var reason = await RejectedAsync(manager, new StartJob("sleep", Json("{}"), new JobOptions { JobId = "taken" }));

        Assert.Contains("\"taken\" is already used by a job of plugin \"echo\"", reason);
        Assert.Single(await GetAllJobsAsync(manager));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nid")]
    public async Task Should_reject_an_unusable_job_id(string jobId)
    {
        var manager = await StartManagerAsync();

        var reason = await RejectedAsync(manager, new StartJob("echo", Json("{}"), new JobOptions { JobId = jobId }));

        Assert.Contains("JobId must be 1 to 200 printable characters", reason);
    }
}
