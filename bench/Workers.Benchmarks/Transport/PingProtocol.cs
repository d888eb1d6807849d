using Akka.Configuration;
using Workers.Actors;

namespace Workers.Benchmarks.Transport;

/// <summary>Marks the ping-pong messages; bound to Hyperion in transport.hocon, as IWorkerWireMessage is in hocon/.</summary>
public interface IPingWireMessage;

public sealed record Ping(long Id) : IPingWireMessage;

public sealed record Pong(long Id) : IPingWireMessage;

/// <summary>The two ends' configurations: the project's own (manager side, node side) with the ping binding.</summary>
internal static class TransportConfig
{
    private static readonly Lazy<Config> Binding = new(() =>
    {
        using var stream = typeof(TransportConfig).Assembly.GetManifestResourceStream("Workers.Benchmarks.transport.hocon")
            ?? throw new InvalidOperationException("transport.hocon is not embedded in Workers.Benchmarks.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>The benchmark's end: a manager's settings.</summary>
    public static Config Pinger => Binding.Value.WithFallback(WorkersConfiguration.Manager);

    /// <summary>The pong process's end: a worker node's settings.</summary>
    public static Config Ponger => Binding.Value.WithFallback(WorkersConfiguration.WorkerNode);
}
