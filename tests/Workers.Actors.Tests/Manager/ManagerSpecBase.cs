using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Workers.Actors.Launching;
using Workers.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>
/// A manager on a remoting-enabled test system (the project's manager configuration), its nodes started in-process
/// by <see cref="InProcessNodeLauncher"/>. One probe per collaborator: <see cref="Client"/> sends commands and gets
/// the replies, <see cref="Events"/> is subscribed to every event.
/// </summary>
public abstract class ManagerSpecBase : TestKit
{
    protected static readonly TimeSpan Slow = TimeSpan.FromSeconds(15); // a node start plus a job, on a loaded 2-core machine

    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        akka.test.single-expect-default = 5s
        """);

    protected ManagerSpecBase(ITestOutputHelper output)
        : base(TestConfig.WithFallback(WorkersConfiguration.Manager), "manager-spec", output)
    {
        Launcher = new InProcessNodeLauncher(line =>
        {
            try
            {
                output.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // The test is over; a node that is still going down has nothing more to tell it.
            }
        });
        Client = CreateTestProbe("client");
        Events = CreateTestProbe("events");
    }

    internal InProcessNodeLauncher Launcher { get; }
    protected TestProbe Client { get; }
    protected TestProbe Events { get; }

    internal Task<IActorRef> StartManagerAsync(WorkerConfig? worker = null, INodeLauncher? launcher = null, bool subscribeEvents = true) =>
        StartManagerAsync(options => options with { Worker = worker ?? new WorkerConfig(), NodeLauncher = launcher ?? Launcher }, subscribeEvents);

    /// <summary>A manager on the samples with in-process nodes, shaped by <paramref name="configure"/>; <see cref="Events"/> hears all its events.</summary>
    internal async Task<IActorRef> StartManagerAsync(Func<JobManagerOptions, JobManagerOptions> configure, bool subscribeEvents = true)
    {
        var options = configure(new JobManagerOptions
        {
            WorkerType = "test",
            PluginAssemblies = ["Workers.Plugins.Samples.dll"],
            NodeLauncher = Launcher,
            Store = JobStoreOptions.InMemory, // the journal's code runs in every spec; nothing reaches a disk
        });
        var manager = Sys.ActorOf(JobManagerActor.Props(options), JobManagerActor.ActorName(options.WorkerType));
        if (subscribeEvents)
        {
            manager.Tell(new SubscribeToJobEvents(Events.Ref), Client.Ref);
            await Client.ExpectMsgAsync<SubscribedToJobEvents>();
        }
        return manager;
    }

    protected static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    protected async Task<JobSnapshot> SubmitAsync(IActorRef manager, string pluginId, string parameters = "{}", JobOptions? options = null)
    {
        manager.Tell(new StartJob(pluginId, Json(parameters), options), Client.Ref);
        var reply = await Client.ReceiveOneAsync(Slow);
        return reply is JobAccepted accepted
            ? accepted.Job
            : throw new Xunit.Sdk.XunitException($"{pluginId} {parameters} was not accepted: {reply}");
    }

    protected async Task<string> RejectedAsync(IActorRef manager, StartJob start) =>
        (await RejectionAsync(manager, start)).Reason;

    protected async Task<JobRejected> RejectionAsync(IActorRef manager, StartJob start)
    {
        manager.Tell(start, Client.Ref);
        return await Client.ExpectMsgAsync<JobRejected>();
    }

    /// <summary>The next message of type <typeparamref name="T"/> that matches, skipping the others (other jobs' events, worker events).</summary>
    protected static async Task<T> NextAsync<T>(TestProbe probe, Func<T, bool>? match = null, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Slow);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new Xunit.Sdk.XunitException($"No {typeof(T).Name} matching within {within ?? Slow}.");
            var message = await probe.ReceiveOneAsync(left);
            if (message is T typed && (match is null || match(typed)))
                return typed;
        }
    }

    protected static Task<T> NextOfJobAsync<T>(TestProbe probe, string jobId, TimeSpan? within = null) where T : IJobEvent =>
        NextAsync<T>(probe, e => e.JobId == jobId, within);

    protected async Task<JobSnapshot> GetJobAsync(IActorRef manager, string jobId)
    {
        manager.Tell(new GetJob(jobId), Client.Ref);
        return (await Client.ExpectMsgAsync<JobInfo>()).Job ?? throw new Xunit.Sdk.XunitException($"Job {jobId} is unknown.");
    }

    protected async Task<IReadOnlyList<JobSnapshot>> GetAllJobsAsync(IActorRef manager)
    {
        manager.Tell(GetAllJobs.Instance, Client.Ref);
        return (await Client.ExpectMsgAsync<AllJobs>()).Jobs;
    }

    protected async Task<IReadOnlyList<WorkerSnapshot>> GetWorkersAsync(IActorRef manager)
    {
        manager.Tell(GetWorkers.Instance, Client.Ref);
        return (await Client.ExpectMsgAsync<WorkersInfo>()).Workers;
    }

    protected async Task<CancelJobResult> CancelAsync(IActorRef manager, string jobId)
    {
        manager.Tell(new CancelJob(jobId), Client.Ref);
        return await Client.ExpectMsgAsync<CancelJobResult>(Slow);
    }

    protected static string[] States(IEnumerable<WorkerSnapshot> workers) =>
        [.. workers.Select(worker => worker.State.ToString())];

    protected override void Dispose(bool disposing)
    {
        // Shuts the manager's system down first: the manager ends its own nodes. Whatever is left (a test that
        // failed half-way) goes afterwards.
        base.Dispose(disposing);
        if (disposing)
            Launcher.Dispose();
    }
}
