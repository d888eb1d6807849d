using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workers.Actors;
using Workers.Demo;

// The Workers demo: a manager with two worker-node processes runs a mix of jobs through the sample plugins,
// shows streamed text and progress as they happen, prints a summary, and leaves no process behind.

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
builder.Services.AddAkka("demo", akka => akka
    .AddHocon("akka.loglevel = ERROR", HoconAddMode.Prepend)
    // The crash below is on purpose: keep Akka.Remote's stack trace for it out of the demo's output.
    .AddSetup(new LogFilterBuilder().Add(new WorkerNodeDisconnectLogFilter()).Build())
    .WithWorkers(new JobManagerOptions
    {
        WorkerType = "demo",
        PluginAssemblies = ["Workers.Plugins.Samples.dll"],
        Worker = new WorkerConfig { MaxWorkers = 2 },
        Store = JobStoreOptions.Sqlite("data/workers.db"), // the default, spelled out: jobs survive a restart
    }));

using var host = builder.Build();
await host.StartAsync();
var system = host.Services.GetRequiredService<ActorSystem>();
var manager = await host.Services.GetRequiredService<IRequiredActor<JobManagerActor>>().GetAsync();

var events = Channel.CreateUnbounded<object>();
var subscriber = system.ActorOf(Props.Create(() => new ChannelWriterActor(events.Writer)), "demo-subscriber");
await manager.Ask<SubscribedToJobEvents>(new SubscribeToJobEvents(subscriber));
var console = new DemoConsole(events.Reader);

Console.WriteLine("Workers demo: one manager, two worker-node processes, the sample plugins.\n");

var earlier = (await manager.Ask<AllJobs>(GetAllJobs.Instance)).Jobs;
if (earlier.Count > 0)
{
    // The job store kept them across the restart; the summary below is about this run's jobs.
    var cleared = await manager.Ask<CompletedJobsCleared>(ClearCompletedJobs.Instance);
    Console.WriteLine($"The job store (data/workers.db) kept {earlier.Count} job(s) from earlier runs; cleared the {cleared.Count} finished one(s).\n");
}

Console.WriteLine("1. A text generator streams its words as it produces them:\n");
var markov = await Submit("markov", new { words = 40, seed = 7 }, stream: true);
await console.FollowStreamAsync(markov);

Console.WriteLine("\n2. A mix of jobs on two workers (a crash and a failure included):\n");
var mix = new List<string>
{
    await Submit("mandelbrot", new { width = 480, height = 320, maxIterations = 300 }),
    await Submit("echo", new { text = "hello from a worker process" }),
    await Submit("tokens", new { count = 5_000 }, stream: true),
    await Submit("sleep", new { ms = 700 }),
    await Submit("fail", new { message = "this plugin fails on purpose" }),
    await Submit("crash", new { exitCode = 134 }),
    await Submit("echo", new { text = "after the crash, a new node takes the slot" }),
    await Submit("markov", new { words = 25, seed = 3 }),
};
await console.FollowUntilDoneAsync(mix);

var jobs = (await manager.Ask<AllJobs>(GetAllJobs.Instance)).Jobs;
Console.WriteLine();
DemoConsole.PrintSummary(jobs);

var pids = jobs.Where(job => job.WorkerPid is not null).Select(job => job.WorkerPid!.Value).Distinct().ToList();
await host.StopAsync();
var left = await DemoConsole.WaitForExitAsync(pids, TimeSpan.FromSeconds(10));
Console.WriteLine(left.Count == 0
    ? $"\nStopped: all {pids.Count} worker-node processes have exited."
    : $"\nWorker-node processes still running: {string.Join(", ", left)}");
return left.Count == 0 && jobs.All(job => job.IsTerminal) ? 0 : 1;

async Task<string> Submit(string plugin, object parameters, bool stream = false)
{
    var reply = await manager.Ask<object>(new StartJob(plugin, JsonSerializer.SerializeToElement(parameters), new JobOptions { Stream = stream }));
    return reply switch
    {
        JobAccepted accepted => accepted.Job.Id,
        JobRejected rejected => throw new InvalidOperationException($"{plugin} was rejected: {rejected.Reason}"),
        _ => throw new InvalidOperationException($"Unexpected reply {reply}"),
    };
}
