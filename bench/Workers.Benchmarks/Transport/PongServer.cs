using Akka.Actor;
using Workers.Benchmarks.Harness;

namespace Workers.Benchmarks.Transport;

/// <summary>
/// The benchmark's own executable run with <c>--pong</c> (<c>--pong direct</c> for Workers' direct transport): an
/// ActorSystem with remoting, configured as a worker node is, whose <c>/user/pong</c> answers every
/// <see cref="Ping"/>. It prints <c>PONG &lt;actor path&gt;</c> on stdout once ready, and exits when its stdin closes
/// (the benchmark ended, however it ended).
/// </summary>
internal static class PongServer
{
    public const string Argument = "--pong";
    public const string Direct = "direct";
    public const string ReadyPrefix = "PONG ";

    public static async Task<int> RunAsync(bool direct)
    {
        var system = BenchSystems.Create("pong", TransportConfig.Ponger(direct));
        var pong = system.ActorOf(Props.Create(() => new PongActor()), "pong");
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        Console.WriteLine(ReadyPrefix + pong.Path.ToStringWithAddress(address));
        await Task.Run(() => Console.In.ReadToEnd());
        await system.Terminate();
        return 0;
    }

    private sealed class PongActor : ReceiveActor
    {
        public PongActor() => Receive<Ping>(ping => Sender.Tell(new Pong(ping.Id)));
    }
}
