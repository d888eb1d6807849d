using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Workers.Actors;

namespace Workers.Benchmarks.Harness;

/// <summary>
/// The ActorSystems of the benchmark: a manager's is <see cref="WorkersConfiguration.Manager"/> with
/// <c>akka.loglevel = WARNING</c> in front, as an application would create it. Akka's log goes to stderr, so that
/// stdout carries the results table alone; the remoting errors of a node killed on purpose (cancel, crash) and of
/// the ping-pong peers parting are dropped.
/// </summary>
internal static class BenchSystems
{
    private static readonly Config Front = ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.stdout-logger-class = "{{typeof(StderrLogger).AssemblyQualifiedName}}"
        """);

    public static ActorSystem CreateManagerSystem(string name) => Create(name, WorkersConfiguration.Manager);

    /// <summary>An ActorSystem on <paramref name="config"/>, with the benchmark's log settings in front.</summary>
    public static ActorSystem Create(string name, Config config)
    {
        config = Front.WithFallback(config);
        var setup = BootstrapSetup.Create().WithConfig(config)
            .And(new LogFilterBuilder().Add(new WorkerNodeDisconnectLogFilter()).Add(new PeerShutdownLogFilter()).Build());
        return ActorSystem.Create(name, setup);
    }

    /// <summary>Akka's log on stderr (the default logger prints through this one), with the system's log filter applied.</summary>
    internal sealed class StderrLogger : MinimalLogger
    {
        protected override void Log(object message)
        {
            if (message is LogEvent logEvent && Filter.ShouldTryKeepMessage(logEvent, out _))
                Console.Error.WriteLine(logEvent.ToString());
        }
    }
}
