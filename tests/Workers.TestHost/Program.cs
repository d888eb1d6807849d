using System.Text.Json;
using Akka.Actor;
using Workers.Actors;

// Usage: Workers.TestHost <workers> <plugin> <parameters json> <jobs>
// Starts a manager with <workers> slots, submits <jobs> jobs, and prints one line per event a test waits for:
//   READY                   the manager is up and the jobs are submitted
//   NODE <pid>              a worker node registered
//   DONE <job id> <status>  a job ended
// Then it runs until killed or until its stdin closes.

var workers = int.Parse(args[0]);
var plugin = args[1];
var parameters = JsonDocument.Parse(args[2]).RootElement;
var jobs = int.Parse(args[3]);

var system = ActorSystem.Create("testhost", Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING")
    .WithFallback(WorkersConfiguration.Manager));
var manager = system.ActorOf(JobManagerActor.Props(new JobManagerOptions
{
    WorkerType = "testhost",
    PluginAssemblies = ["Workers.Plugins.Samples.dll"],
    Worker = new WorkerConfig { MaxWorkers = workers },
}), JobManagerActor.ActorName("testhost"));

var printer = system.ActorOf(Props.Create(() => new EventPrinter()), "printer");
await manager.Ask<SubscribedToJobEvents>(new SubscribeToJobEvents(printer));
for (var i = 0; i < jobs; i++)
    await manager.Ask<JobAccepted>(new StartJob(plugin, parameters));
Console.WriteLine("READY");

await Task.Run(() => Console.In.ReadToEnd());
await system.Terminate();

internal sealed class EventPrinter : ReceiveActor
{
    public EventPrinter()
    {
        Receive<WorkerStarted>(e => Console.WriteLine($"NODE {e.Pid}"));
        Receive<JobCompleted>(e => Console.WriteLine($"DONE {e.JobId} completed"));
        Receive<JobFailed>(e => Console.WriteLine($"DONE {e.JobId} failed"));
        Receive<JobCancelled>(e => Console.WriteLine($"DONE {e.JobId} cancelled"));
        ReceiveAny(_ => { });
    }
}
