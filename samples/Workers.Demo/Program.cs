using System.Text.Json;
using Akka.Actor;
using Workers.Actors;

var system = ActorSystem.Create("demo", WorkersConfiguration.Manager);
var manager = system.ActorOf(JobManagerActor.Props(new JobManagerOptions
{
    WorkerType = "demo",
    PluginAssemblies = ["Workers.Plugins.Samples.dll"],
    Worker = new WorkerConfig { MaxWorkers = 2 },
}), "job-manager-demo");
var sw = System.Diagnostics.Stopwatch.StartNew();
var r = await manager.Ask<object>(new StartJob("echo", JsonDocument.Parse("{\"text\":\"hi\"}").RootElement));
Console.WriteLine(r);
var id = ((JobAccepted)r).Job.Id;
while (true)
{
    var info = await manager.Ask<JobInfo>(new GetJob(id));
    if (info.Job!.IsTerminal) { Console.WriteLine($"{info.Job} {info.Job.Result} in {sw.ElapsedMilliseconds} ms"); break; }
    await Task.Delay(50);
}
await system.Terminate();
