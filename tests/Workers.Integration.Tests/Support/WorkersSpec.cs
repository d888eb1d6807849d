using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Workers.Actors;
using Xunit.Abstractions;

namespace Workers.Integration.Tests.Support;

/// <summary>
/// A TestKit on an ActorSystem built from <see cref="WorkersConfiguration.Manager"/> (Akka.Remote on 127.0.0.1, port
/// 0), whose managers start real worker-node processes with the default launcher. After each test the system is
/// terminated (its proxies kill their nodes) and every node pid the test saw must have exited.
/// </summary>
public abstract class WorkersSpec : TestKit, IAsyncLifetime
{
    /// <summary>Time for a node to start and register on a busy 2-core machine, and for a short job after it.</summary>
    protected static readonly TimeSpan NodeStart = TimeSpan.FromSeconds(30);

    /// <summary>Time for the manager to answer a command.</summary>
    protected static readonly TimeSpan Reply = TimeSpan.FromSeconds(10);

    /// <summary>The samples assembly the build copies beside the test binaries (a relative path, as an application would give it).</summary>
    protected const string SamplesAssembly = "Workers.Plugins.Samples.dll";

    private static readonly TimeSpan Teardown = TimeSpan.FromSeconds(30);

    protected WorkersSpec(string systemName, ITestOutputHelper output)
        : this(WorkersConfiguration.Manager, systemName, output)
    {
    }

    /// <summary>A system on <paramref name="config"/> (for instance <see cref="WorkersConfiguration.ManagerOn"/>: another address, TLS).</summary>
    protected WorkersSpec(Akka.Configuration.Config config, string systemName, ITestOutputHelper output)
        : base(config, systemName, output)
    {
    }

    /// <summary>The full address of an actor of the test's system, as a node's --manager option wants it.</summary>
    protected string AddressOf(IActorRef actor) => actor.Path.ToStringWithAddress(((ExtendedActorSystem)Sys).Provider.DefaultAddress);

    protected NodeProcesses Nodes { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Terminating the system stops the managers; each proxy's PostStop kills its node process.
        try
        {
            await Sys.Terminate().WaitAsync(Teardown);
        }
        finally
        {
            await Nodes.AssertAllExitedAsync(Teardown);
        }
    }

    protected static JobManagerOptions Options(int maxWorkers = 1, string workerType = "integration") => Options(
        new WorkerConfig { MaxWorkers = maxWorkers }, workerType);

    protected static JobManagerOptions Options(WorkerConfig worker, string workerType = "integration") => new()
    {
        WorkerType = workerType,
        PluginAssemblies = [SamplesAssembly],
        Worker = worker,
        Store = JobStoreOptions.InMemory,
    };

    /// <summary>Creates a manager on the test's system and records the pid of every node it starts.</summary>
    protected async Task<IActorRef> StartManagerAsync(JobManagerOptions options)
    {
        var manager = Sys.ActorOf(JobManagerActor.Props(options), JobManagerActor.ActorName(options.WorkerType));
        await Nodes.TrackAsync(Sys, manager, Reply);
        return manager;
    }

    /// <summary>A probe subscribed to the events of one job (pre-subscription by a caller-chosen id), or of all jobs and workers.</summary>
    protected async Task<TestProbe> SubscribeAsync(IActorRef manager, string? jobId = null, string name = "subscriber")
    {
        var subscriber = CreateTestProbe(name);
        subscriber.Send(manager, new SubscribeToJobEvents(subscriber.Ref, jobId));
        await subscriber.ExpectMsgAsync<SubscribedToJobEvents>(subscribed => subscribed.JobId == jobId, Reply);
        return subscriber;
    }

    /// <summary>Submits a job as <paramref name="client"/> and expects it accepted.</summary>
    protected static async Task<JobSnapshot> SubmitAsync(
        TestProbe client, IActorRef manager, string pluginId, object? parameters = null, JobOptions? options = null)
    {
        client.Send(manager, new StartJob(pluginId, Parameters(parameters), options));
        var accepted = await client.ExpectMsgAsync<JobAccepted>(Reply, $"{pluginId} job accepted");
        return accepted.Job;
    }

    /// <summary>Submits a job as <paramref name="client"/> and expects it rejected.</summary>
    protected static async Task<string> SubmitRejectedAsync(TestProbe client, IActorRef manager, StartJob start)
    {
        client.Send(manager, start);
        var rejected = await client.ExpectMsgAsync<JobRejected>(Reply, $"{start.PluginId} job rejected");
        return rejected.Reason;
    }

    protected static JsonElement Parameters(object? parameters) =>
        parameters is null ? default : JsonSerializer.SerializeToElement(parameters);

    /// <summary>Waits for the event of type <typeparamref name="T"/> of one job, skipping every other message.</summary>
    protected static async Task<T> ExpectJobEventAsync<T>(TestProbe subscriber, string jobId, TimeSpan? within = null)
        where T : IJobEvent =>
        await subscriber.FishForMessageAsync<T>(e => e.JobId == jobId, within ?? NodeStart, $"{typeof(T).Name} of job {jobId}");

    /// <summary>
    /// Receives until every job of <paramref name="jobIds"/> has ended (completed, failed or cancelled) and returns
    /// their events in the order they arrived; events of other jobs and worker events are skipped.
    /// </summary>
    protected static async Task<IReadOnlyList<IJobEvent>> ReceiveUntilEndedAsync(
        TestProbe subscriber, IReadOnlyCollection<string> jobIds, TimeSpan? within = null)
    {
        var events = new List<IJobEvent>();
        var open = new HashSet<string>(jobIds);
        await subscriber.FishForMessageAsync<IJobEvent>(e =>
        {
            if (!jobIds.Contains(e.JobId))
                return false;
            events.Add(e);
            if (e is JobCompleted or JobFailed or JobCancelled)
                open.Remove(e.JobId);
            return open.Count == 0;
        }, within ?? NodeStart, $"the end of jobs {string.Join(", ", jobIds)}");
        return events;
    }

    /// <summary>Receives the events of every job until <paramref name="jobId"/> has ended; worker events are skipped.</summary>
    protected static async Task<IReadOnlyList<IJobEvent>> ReceiveAllUntilEndedAsync(TestProbe subscriber, string jobId, TimeSpan? within = null)
    {
        var events = new List<IJobEvent>();
        await subscriber.FishForMessageAsync<IJobEvent>(e =>
        {
            events.Add(e);
            return e.JobId == jobId && e is JobCompleted or JobFailed or JobCancelled;
        }, within ?? NodeStart, $"the end of job {jobId}");
        return events;
    }

    protected static async Task<JobSnapshot?> GetJobAsync(TestProbe client, IActorRef manager, string jobId)
    {
        client.Send(manager, new GetJob(jobId));
        return (await client.ExpectMsgAsync<JobInfo>(Reply)).Job;
    }

    protected static async Task<IReadOnlyList<JobSnapshot>> GetAllJobsAsync(TestProbe client, IActorRef manager)
    {
        client.Send(manager, GetAllJobs.Instance);
        return (await client.ExpectMsgAsync<AllJobs>(Reply)).Jobs;
    }

    /// <summary>
    /// Receives until the job ends and expects it to end with <typeparamref name="T"/>; any other end fails at once
    /// with what happened (a failed job's error, for example) instead of waiting out a timeout.
    /// </summary>
    protected static async Task<T> ExpectEndAsync<T>(TestProbe subscriber, string jobId, TimeSpan? within = null)
        where T : IJobEvent
    {
        var events = await ReceiveUntilEndedAsync(subscriber, [jobId], within);
        return events[^1] is T end
            ? end
            : throw new Xunit.Sdk.XunitException($"Job {jobId} was expected to end with {typeof(T).Name} but ended with {events[^1]}");
    }

    /// <summary>Runs an echo job to its end and returns its started event and its result's metadata.</summary>
    protected static async Task<(JobStarted Started, JsonElement Metadata)> RunEchoAsync(
        TestProbe client, TestProbe subscriber, IActorRef manager, string text = "hello")
    {
        var job = await SubmitAsync(client, manager, "echo", new { text });
        var started = await ExpectJobEventAsync<JobStarted>(subscriber, job.Id);
        var completed = await ExpectEndAsync<JobCompleted>(subscriber, job.Id);
        Assert.Equal(text, completed.Result.GetProperty("text").GetString());
        return (started, completed.Result.GetProperty("metadata"));
    }
}
