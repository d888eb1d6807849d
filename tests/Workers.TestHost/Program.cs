using System.Text.Json;
using Akka.Actor;
using Workers.Actors;

// Usage: Workers.TestHost <workers> <plugin> <parameters json> <jobs> [--store sqlite:<file> | postgresql:<connection string>]
// Starts a manager with <workers> slots (and the job store, if given), submits <jobs> jobs, and prints one line per
// thing a test waits for:
//   ACCEPTED <job id>        a job was accepted (with a store: it is written)
//   READY                    the manager is up and the jobs are submitted
//   NODE <pid>               a worker node registered
//   STARTED <job id>         a job started on a node
//   DONE <job id> <status>   a job ended
// A line "list" on stdin prints "JOB <job id> <status>" for every job, then "LISTED". It runs until killed or until
// its stdin closes.

var workers = int.Parse(args[0]);
var plugin = args[1];
var parameters = JsonDocument.Parse(args[2]).RootElement;
var jobs = int.Parse(args[3]);
var store = args.Length > 5 && args[4] == "--store" ? ParseStore(args[5]) : JobStoreOptions.None;

var system = ActorSystem.Create("testhost", Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING")
    .WithFallback(WorkersConfiguration.Manager));
var manager = system.ActorOf(JobManagerActor.Props(new JobManagerOptions
{
    WorkerType = "testhost",
    PluginAssemblies = ["Workers.Plugins.Samples.dll"],
    Worker = new WorkerConfig { MaxWorkers = workers },
    Store = store,
}), JobManagerActor.ActorName("testhost"));

var printer = system.ActorOf(Props.Create(() => new EventPrinter()), "printer");
await manager.Ask<SubscribedToJobEvents>(new SubscribeToJobEvents(printer), TimeSpan.FromSeconds(60));
// Submitted all at once, as a busy application would; each is printed as its acceptance comes back.
var submissions = Enumerable.Range(0, jobs)
    .Select(_ => manager.Ask<JobAccepted>(new StartJob(plugin, parameters), TimeSpan.FromSeconds(60)))
    .ToList();
foreach (var submission in submissions)
    Console.WriteLine($"ACCEPTED {(await submission).Job.Id}");
Console.WriteLine("READY");

while (await Console.In.ReadLineAsync() is { } command)
{
    if (command != "list")
        continue;
    foreach (var job in (await manager.Ask<AllJobs>(GetAllJobs.Instance, TimeSpan.FromSeconds(60))).Jobs)
        Console.WriteLine($"JOB {job.Id} {job.Status.ToString().ToLowerInvariant()}");
    Console.WriteLine("LISTED");
}
await system.Terminate();

static JobStoreOptions ParseStore(string store) => store.Split(':', 2) switch
{
    ["sqlite", var file] => JobStoreOptions.Sqlite(file),
    ["postgresql", var connection] => JobStoreOptions.PostgreSql(connection),
    _ => throw new ArgumentException($"--store takes sqlite:<file> or postgresql:<connection string>, not \"{store}\"."),
};

internal sealed class EventPrinter : ReceiveActor
{
    public EventPrinter()
    {
        Receive<WorkerStarted>(e => Console.WriteLine($"NODE {e.Pid}"));
        Receive<JobStarted>(e => Console.WriteLine($"STARTED {e.JobId}"));
        Receive<JobCompleted>(e => Console.WriteLine($"DONE {e.JobId} completed"));
        Receive<JobFailed>(e => Console.WriteLine($"DONE {e.JobId} failed"));
        Receive<JobCancelled>(e => Console.WriteLine($"DONE {e.JobId} cancelled"));
        ReceiveAny(_ => { });
    }
}
