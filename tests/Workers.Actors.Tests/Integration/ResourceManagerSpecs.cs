using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Workers.Actors.Tests.Manager;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Integration;

/// <summary>
/// The resource manager's call sequence (reference section 4.9) with the original's bugs fixed: "running" even for a
/// plugin without configuration, "idle" only when the node has no job, unregistered on every exit.
/// </summary>
public sealed class ResourceManagerSpecs(ITestOutputHelper output) : ManagerSpecBase(output)
{
    private readonly RecordingResourceManager _resources = new();

    [Fact]
    public async Task Should_register_a_node_and_report_it_running_a_job_then_idle()
    {
        var manager = await StartAsync(Options());

        var job = await SubmitAsync(manager, "echo", """{"text":"hi"}""");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        // No configuration: still "running" (the original reported nothing then), with an empty one.
        await ExpectCallsAsync(
            $"register {pid} test",
            $"running {pid} job={job.Id} plugin=echo id=echo resource=unknown config={{}}",
            $"idle {pid} plugin=echo");
    }

    [Fact]
    public async Task Should_report_the_configuration_and_the_resource_it_loads()
    {
        var manager = await StartAsync(Options() with
        {
            PluginConfigs = ImmutableDictionary<string, JsonElement>.Empty
                .Add("echo", Json("""{"model_name":"by-name","model":"by-model","device":"cpu"}""")),
        });

        var job = await SubmitAsync(manager, "echo");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        await ExpectCallsAsync(
            $"register {pid} test",
            $$"""running {{pid}} job={{job.Id}} plugin=echo id=echo resource=by-model config={"model_name":"by-name","model":"by-model","device":"cpu"}""",
            $"idle {pid} plugin=echo");
    }

    [Fact]
    public async Task Should_report_the_registry_id_and_configuration_of_the_job()
    {
        using var folder = new RegistryFolder()
            .WithCatalogue(new { id = "echo-large", name = "echo" })
            .WithConfig("echo-large", """{"resource_id":"","model_id":"large-v3"}""");
        var manager = await StartAsync(Options() with { PluginRegistry = folder.Open() });

        var job = await SubmitAsync(manager, "echo-large");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        // resource_id is present, though empty: it wins over model_id, as in the original.
        await ExpectCallsAsync(
            $"register {pid} test",
            $$"""running {{pid}} job={{job.Id}} plugin=echo id=echo-large resource= config={"resource_id":"","model_id":"large-v3"}""",
            $"idle {pid} plugin=echo");
    }

    [Fact]
    public async Task Should_not_report_a_node_idle_between_jobs_that_follow_each_other()
    {
        var manager = await StartAsync(Options());

        var first = await SubmitAsync(manager, "sleep", """{"ms":1000}""");
        var second = await SubmitAsync(manager, "echo"); // waits in the queue for the only slot
        var pid = (await NextOfJobAsync<JobStarted>(Events, first.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, second.Id);

        // The original marked the node idle after each result, even with jobs waiting behind it (reference 4.9).
        await ExpectCallsAsync(
            $"register {pid} test",
            $"running {pid} job={first.Id} plugin=sleep id=sleep resource=unknown config={{}}",
            $"running {pid} job={second.Id} plugin=echo id=echo resource=unknown config={{}}",
            $"idle {pid} plugin=echo");
    }

    [Fact]
    public async Task Should_report_idle_with_the_plugin_after_a_reload_and_with_nothing_loaded_after_an_unload()
    {
        var manager = await StartAsync(Options());
        var job = await SubmitAsync(manager, "echo");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, job.Id);

        manager.Tell(new ReloadPlugin("echo", Json("""{"model_id":"v2","device":"cuda"}""")), Client.Ref);
        Assert.True((await Client.ExpectMsgAsync<PluginCommandResult>(Slow)).Success);
        manager.Tell(new UnloadPlugin("echo"), Client.Ref);
        Assert.True((await Client.ExpectMsgAsync<PluginCommandResult>(Slow)).Success);

        await ExpectCallsAsync(
            $"register {pid} test",
            $"running {pid} job={job.Id} plugin=echo id=echo resource=unknown config={{}}",
            $"idle {pid} plugin=echo",
            $$"""idle {{pid}} plugin=echo resource=v2 config={"model_id":"v2","device":"cuda"}""",
            $"idle {pid}");
    }

    [Fact]
    public async Task Should_not_report_idle_for_a_reload_answered_while_the_node_runs_a_job()
    {
        var manager = await StartAsync(Options());
        var first = await SubmitAsync(manager, "sleep", """{"ms":1000}""");
        var pid = (await NextOfJobAsync<JobStarted>(Events, first.Id)).WorkerPid;
        var second = await SubmitAsync(manager, "sleep", """{"ms":1000}""");

        // The node answers the reload after the first job, and then runs the second: its answer comes while the
        // second job runs.
        manager.Tell(new ReloadPlugin("echo", Json("""{"model_id":"v2"}""")), Client.Ref);
        Assert.True((await Client.ExpectMsgAsync<PluginCommandResult>(Slow)).Success);
        await NextOfJobAsync<JobCompleted>(Events, second.Id);

        var runningSecond = $"running {pid} job={second.Id} plugin=sleep id=sleep resource=unknown config={{}}";
        var idleAfterSecond = $"idle {pid} plugin=sleep";
        await AwaitAssertAsync(() => Assert.Contains(idleAfterSecond, _resources.Calls), Slow);
        var calls = _resources.Calls.ToList();
        var whileSecondRuns = calls[(calls.IndexOf(runningSecond) + 1)..calls.LastIndexOf(idleAfterSecond)];
        Assert.DoesNotContain(whileSecondRuns, call => call.StartsWith("idle ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_unregister_a_node_that_crashes()
    {
        var manager = await StartAsync(Options());
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;

        Launcher.Nodes.Single(node => node.Pid == pid).Crash(134);
        await NextOfJobAsync<JobFailed>(Events, job.Id);

        await ExpectCallsAsync(
            $"register {pid} test",
            $"running {pid} job={job.Id} plugin=sleep id=sleep resource=unknown config={{}}",
            $"unregister {pid}");
    }

    [Fact]
    public async Task Should_unregister_a_node_killed_to_cancel_its_job_and_register_its_replacement()
    {
        var manager = await StartAsync(Options());
        var job = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;

        Assert.True((await CancelAsync(manager, job.Id)).Cancelled);
        var replacement = await NextAsync<WorkerStarted>(Events); // OnCancellation: restarted at once

        await ExpectCallsAsync(
            $"register {pid} test",
            $"running {pid} job={job.Id} plugin=sleep id=sleep resource=unknown config={{}}",
            $"unregister {pid}",
            $"register {replacement.Pid} test");
    }

    [Fact]
    public async Task Should_unregister_a_recycled_node()
    {
        var manager = await StartAsync(Options() with { Worker = new WorkerConfig { MaxJobsPerWorker = 1 } });
        var job = await SubmitAsync(manager, "echo");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;

        await NextAsync<WorkerExited>(Events, exited => exited.Pid == pid);

        await AwaitAssertAsync(() => Assert.Equal(
            [
                $"register {pid} test",
                $"running {pid} job={job.Id} plugin=echo id=echo resource=unknown config={{}}",
                $"unregister {pid}",
            ],
            _resources.Calls.Take(3)), Slow);
        Assert.DoesNotContain($"idle {pid} plugin=echo", _resources.Calls); // it is replaced, not idle
    }

    [Fact]
    public async Task Should_unregister_every_live_node_when_the_manager_shuts_down()
    {
        var manager = await StartAsync(Options() with { Worker = new WorkerConfig { MaxWorkers = 2 } });
        var busy = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        var done = await SubmitAsync(manager, "echo");
        var busyPid = (await NextOfJobAsync<JobStarted>(Events, busy.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, done.Id);
        var idlePid = (await GetJobAsync(manager, done.Id)).WorkerPid!.Value;
        Assert.NotEqual(busyPid, idlePid);

        await CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance);

        var calls = _resources.Calls;
        Assert.Equal(new[] { $"unregister {busyPid}", $"unregister {idlePid}" }.Order(), calls.TakeLast(2).Order());
        Assert.Equal(2, calls.Count(call => call.StartsWith("unregister ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Should_unregister_its_nodes_when_the_manager_actor_is_stopped()
    {
        var manager = await StartAsync(Options());
        var job = await SubmitAsync(manager, "echo");
        var pid = (await NextOfJobAsync<JobStarted>(Events, job.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, job.Id);
        var watcher = CreateTestProbe();
        await watcher.WatchAsync(manager);

        manager.Tell(PoisonPill.Instance); // its nodes go with it: the proxies kill them when they stop
        await watcher.ExpectTerminatedAsync(manager);

        await AwaitAssertAsync(() => Assert.Contains($"unregister {pid}", _resources.Calls), Slow);
    }

    [Fact]
    public async Task Should_keep_working_when_the_resource_manager_throws()
    {
        var failing = new RecordingResourceManager(fail: true);
        var manager = await StartAsync(Options() with { ResourceManager = failing });

        var first = await SubmitAsync(manager, "echo", """{"text":"one"}""");
        var pid = (await NextOfJobAsync<JobStarted>(Events, first.Id)).WorkerPid;
        await NextOfJobAsync<JobCompleted>(Events, first.Id);
        var second = await SubmitAsync(manager, "echo", """{"text":"two"}""");
        var completed = await NextOfJobAsync<JobCompleted>(Events, second.Id);
        var crashing = await SubmitAsync(manager, "sleep", """{"ms":30000}""");
        await NextOfJobAsync<JobStarted>(Events, crashing.Id);
        Launcher.Nodes.Single(node => node.Pid == pid).Crash(134);
        await NextOfJobAsync<JobFailed>(Events, crashing.Id);

        Assert.Equal("two", completed.Result.GetProperty("text").GetString());
        Assert.Equal([JobStatus.Completed, JobStatus.Completed, JobStatus.Failed], (await GetAllJobsAsync(manager)).Select(job => job.Status));
        // Every call was made, in order, although each one threw.
        Assert.Equal(
            [
                $"register {pid} test",
                $"running {pid} job={first.Id} plugin=echo id=echo resource=unknown config={{}}",
                $"idle {pid} plugin=echo",
                $"running {pid} job={second.Id} plugin=echo id=echo resource=unknown config={{}}",
                $"idle {pid} plugin=echo",
                $"running {pid} job={crashing.Id} plugin=sleep id=sleep resource=unknown config={{}}",
                $"unregister {pid}",
            ],
            failing.Calls);
    }

    private JobManagerOptions Options() => new()
    {
        WorkerType = "test",
        PluginAssemblies = ["Workers.Plugins.Samples.dll"],
        NodeLauncher = Launcher,
        ResourceManager = _resources,
        Store = JobStoreOptions.InMemory,
    };

    private Task<IActorRef> StartAsync(JobManagerOptions options) => StartManagerAsync(_ => options);

    private Task ExpectCallsAsync(params string[] calls) =>
        AwaitAssertAsync(() => Assert.Equal(calls, _resources.Calls), Slow);
}

/// <summary>
/// Records every call as one line (<c>register {pid} {type}</c>, <c>{status} {pid} job=… plugin=… id=… resource=…
/// config=…</c> with the fields that are set, <c>unregister {pid}</c>). Thread-safe; with <c>fail</c>, every call
/// throws after it is recorded.
/// </summary>
internal sealed class RecordingResourceManager(bool fail = false) : IResourceManager
{
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];
    private readonly List<(int Pid, WorkerResourceState State)> _states = [];

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
                return [.. _calls];
        }
    }

    /// <summary>The states as given (configurations cloned), for checks the lines do not show.</summary>
    public IReadOnlyList<(int Pid, WorkerResourceState State)> States
    {
        get
        {
            lock (_gate)
                return [.. _states];
        }
    }

    public void RegisterWorker(int pid, string workerType) => Record($"register {pid} {workerType}");

    public void UnregisterWorker(int pid) => Record($"unregister {pid}");

    public void UpdateWorkerState(int pid, WorkerResourceState state)
    {
        lock (_gate)
            _states.Add((pid, state with { Config = state.Config?.Clone() }));
        Record(string.Join(' ', new[]
        {
            state.Status,
            pid.ToString(),
            state.JobId is { } jobId ? $"job={jobId}" : null,
            state.PluginName is { } name ? $"plugin={name}" : null,
            state.PluginId is { } id ? $"id={id}" : null,
            state.LoadedPluginResource is { } resource ? $"resource={resource}" : null,
            state.Config is { } config ? $"config={config.GetRawText()}" : null,
        }.OfType<string>()));
    }

    private void Record(string call)
    {
        lock (_gate)
            _calls.Add(call);
        if (fail)
            throw new InvalidOperationException($"resource manager down ({call})");
    }
}
