using System.Runtime.InteropServices;
using Workers.Benchmarks.Harness;
using Workers.Benchmarks.Transport;

// The Workers benchmark harness (DESIGN section 10): end-to-end workloads through real worker-node processes over
// Akka.Remote on loopback, each on a fresh manager, plus raw Akka.Remote ping-pong as the transport's own limit.
// Prints a Markdown table on stdout; progress and Akka's log go to stderr.

if (args is [PongServer.Argument, ..] && args.Skip(1).All(arg => arg == PongServer.Direct))
    return await PongServer.RunAsync(direct: args.Length > 1);

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var reaper = new NodeReaper();
using var interrupted = new CancellationTokenSource();
var interruptedBy = 0;
// Ctrl-C or SIGTERM: the current workload stops, its manager stops its nodes, and the process exits. A second
// signal kills the nodes at once and lets the process die.
void OnSignal(PosixSignalContext signal)
{
    if (interrupted.IsCancellationRequested)
    {
        reaper.KillAll();
        return;
    }
    signal.Cancel = true;
    interruptedBy = signal.Signal == PosixSignal.SIGTERM ? 143 : 130;
    Console.Error.WriteLine($"{signal.Signal}: stopping the managers and their nodes (again to kill them now) ...");
    interrupted.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
// Whatever else ends the process, no node it started is left behind.
AppDomain.CurrentDomain.ProcessExit += (_, _) => reaper.KillAll();

var load = new MachineLoad();
var exitCode = 0;
try
{
    var results = await new BenchmarkRunner(options, reaper).RunAsync(interrupted.Token);
    Report.Write(Console.Out, MachineInfo.Read(), options, results, load.Finish());
    exitCode = results.Failures.Count == 0 ? 0 : 1;
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    exitCode = interruptedBy;
}
finally
{
    var left = await reaper.EnsureAllGoneAsync(TimeSpan.FromSeconds(15));
    if (left.Count > 0)
    {
        Console.Error.WriteLine($"Processes still running at exit were killed: {string.Join(", ", left)}");
        exitCode = exitCode == 0 ? 1 : exitCode;
    }
}
return exitCode;
