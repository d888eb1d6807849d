using Akka.Actor;
using Workers.Actors.Tests.Manager;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Integration;

/// <summary>
/// Events as <c>{workerType}:{event}</c> for web clients: the original's <c>started</c> and <c>cancelled</c> and every
/// other job and worker event, in order, without a slow or failing broadcaster ever holding the manager up.
/// </summary>
public sealed class EventBroadcasterSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    [Fact]
    public async Task Should_broadcast_every_job_and_worker_event_in_order_as_worker_type_and_event_name()
    {
        var broadcaster = new RecordingBroadcaster();
        var manager = await StartAsync(broadcaster, new WorkerConfig { MaxRestartAttempts = 0 });

        var streamed = await SubmitAsync(manager, "tokens", """{"count":5}""", new JobOptions { Stream = true });
        var started = await NextOfJobAsync<JobStarted>(Events, streamed.Id);
        await NextOfJobAsync<JobCompleted>(Events, streamed.Id);
        var failing = await SubmitAsync(manager, "fail", """{"message":"no"}""");
        await NextOfJobAsync<JobFailed>(Events, failing.Id);
        var cancelled = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, cancelled.Id);
        Assert.True((await CancelAsync(manager, cancelled.Id)).Cancelled);
        await NextAsync<WorkerStarted>(Events); // the replacement node
        var crashed = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var crashedOn = await NextOfJobAsync<JobStarted>(Events, crashed.Id);
        Launcher.Nodes.Single(node => node.Pid == crashedOn.WorkerPid).Crash(134);
        await NextAsync<WorkerFailed>(Events); // MaxRestartAttempts = 0: the slot gives up

        await AwaitAssertAsync(() => Assert.Contains("test:worker_failed", broadcaster.Types), Slow);
        Assert.Equal(
            [
                "test:queued", "test:worker_started", "test:started", "test:completed",
                "test:queued", "test:started", "test:failed",
                "test:queued", "test:started", "test:cancelled", "test:worker_exited", "test:worker_restarting", "test:worker_started",
                "test:queued", "test:started", "test:failed", "test:worker_exited", "test:worker_failed",
            ],
            broadcaster.Types.Where(type => type is not ("test:chunk" or "test:progress")));

        var calls = broadcaster.Calls;
        // The original's two events, with their data: the event records.
        Assert.Equal(started, calls.First(call => call.Type == "test:started").Data);
        Assert.Equal(new JobCancelled(cancelled.Id), calls.Single(call => call.Type == "test:cancelled").Data);
        // The streamed job's chunks (then its final one) and progress, all between its start and its completion.
        var streaming = calls.SkipWhile(call => call.Type != "test:started").Skip(1).TakeWhile(call => call.Type != "test:completed").ToList();
        var chunks = streaming.Where(call => call.Type == "test:chunk").Select(call => (JobChunk)call.Data).ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5], chunks.Select(chunk => chunk.Sequence));
        Assert.True(chunks[^1].IsFinal);
        Assert.Contains(streaming, call => call.Type == "test:progress");
        Assert.All(streaming, call => Assert.Contains(call.Type, (string[])["test:chunk", "test:progress"]));
    }

    [Fact]
    public async Task Should_never_wait_for_a_slow_broadcaster_and_drop_chunks_and_progress_first()
    {
        var broadcaster = new RecordingBroadcaster { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var manager = await StartAsync(broadcaster, buffer: 10);

        // The broadcaster is stuck on the first event while three jobs run, one of them streaming 50 chunks.
        var streamed = await SubmitAsync(manager, "tokens", """{"count":50}""", new JobOptions { Stream = true });
        await NextOfJobAsync<JobCompleted>(Events, streamed.Id);
        var second = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(Events, second.Id);
        var third = await SubmitAsync(manager, "echo");
        await NextOfJobAsync<JobCompleted>(Events, third.Id);
        Assert.All(await GetAllJobsAsync(manager), job => Assert.Equal(JobStatus.Completed, job.Status));
        Assert.Equal(["test:queued"], broadcaster.Types);

        // The manager sent every event before it answered GetAllJobs, so once the broadcast actor has answered this
        // Identify (its mailbox is in order) every event waits in its buffer: let them go.
        await Sys.ActorSelection(manager.Path / "event-broadcaster").Ask<ActorIdentity>(new Identify(null), Slow);
        broadcaster.Gate.SetResult();

        await AwaitAssertAsync(() => Assert.Equal(11, broadcaster.Calls.Count), Slow);
        var calls = broadcaster.Calls;
        // Nine job and worker events fit in the buffer of ten; of the 51 chunks and the progress, only the last is left.
        Assert.Equal(
            [
                "test:queued", "test:worker_started", "test:started", "test:completed",
                "test:queued", "test:started", "test:completed",
                "test:queued", "test:started", "test:completed",
            ],
            calls.Select(call => call.Type).Where(type => type is not ("test:chunk" or "test:progress")));
        var left = Assert.Single(calls, call => call.Type is "test:chunk" or "test:progress");
        Assert.Equal(new JobChunk(streamed.Id, 50, "", true), left.Data);
        Assert.Equal(third.Id, ((JobCompleted)calls[^1].Data).JobId);
    }

    [Fact]
    public async Task Should_log_and_ignore_a_broadcaster_that_throws()
    {
        // It throws at once on "queued" and fails asynchronously on "started".
        var broadcaster = new RecordingBroadcaster
        {
            Fail = type => type switch
            {
                "test:queued" => throw new InvalidOperationException("SSE hub is down"),
                "test:started" => Task.FromException(new TimeoutException("client too slow")),
                _ => Task.CompletedTask,
            },
        };
        var manager = await StartAsync(broadcaster);

        await EventFilter.Warning(contains: "The event broadcaster failed").ExpectAsync(4, async () =>
        {
            foreach (var text in new[] { "one", "two" })
            {
                var job = await SubmitAsync(manager, "echo", $$"""{"text":"{{text}}"}""");
                var completed = await NextOfJobAsync<JobCompleted>(Events, job.Id);
                Assert.Equal(text, completed.Result.GetProperty("text").GetString());
            }
            await AwaitAssertAsync(() => Assert.Equal(7, broadcaster.Calls.Count), Slow);
        }, Slow);

        Assert.Equal(
            ["test:queued", "test:worker_started", "test:started", "test:completed", "test:queued", "test:started", "test:completed"],
            broadcaster.Types);
    }

    private Task<IActorRef> StartAsync(IEventBroadcaster broadcaster, WorkerConfig? worker = null, int buffer = 10_000) =>
        StartManagerAsync(options => options with { Worker = worker ?? new WorkerConfig(), EventBroadcaster = broadcaster, EventBroadcasterBuffer = buffer });

    /// <summary>
    /// Records every call; each call returns <see cref="Gate"/>'s task when there is one (a broadcaster as slow as
    /// the test wants), else what <see cref="Fail"/> says.
    /// </summary>
    private sealed class RecordingBroadcaster : IEventBroadcaster
    {
        private readonly Lock _gate = new();
        private readonly List<(string Type, object Data)> _calls = [];

        public TaskCompletionSource? Gate { get; init; }

        public Func<string, Task>? Fail { get; init; }

        public IReadOnlyList<(string Type, object Data)> Calls
        {
            get
            {
                lock (_gate)
                    return [.. _calls];
            }
        }

        public IReadOnlyList<string> Types => [.. Calls.Select(call => call.Type)];

        public Task BroadcastAsync(string eventType, object data)
        {
            lock (_gate)
                _calls.Add((eventType, data));
            return Gate?.Task ?? Fail?.Invoke(eventType) ?? Task.CompletedTask;
        }
    }
}
