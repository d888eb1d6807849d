using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Workers.Actors;

namespace Workers.Benchmarks.Transport;

/// <summary>Marks the ping-pong messages; bound to <see cref="PingSerializer"/> in transport.hocon, as IWorkerWireMessage is to its serializer in hocon/.</summary>
public interface IPingWireMessage;

public sealed record Ping(long Id) : IPingWireMessage;

public sealed record Pong(long Id) : IPingWireMessage;

/// <summary>
/// Writes a ping or a pong as its 8-byte id, with a one-letter manifest: the way the wire serializer writes a job's
/// messages, with the least possible payload, so that the baseline is the transport's own cost.
/// </summary>
public sealed class PingSerializer(ExtendedActorSystem actorSystem) : SerializerWithStringManifest(actorSystem)
{
    public override int Identifier => 4_799;

    public override string Manifest(object o) => o is Ping ? "i" : "o";

    public override byte[] ToBinary(object obj)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, obj switch
        {
            Ping ping => ping.Id,
            Pong pong => pong.Id,
            _ => throw new ArgumentException($"{obj.GetType()} is not a ping message.", nameof(obj)),
        });
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var id = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        return manifest switch
        {
            "i" => new Ping(id),
            "o" => new Pong(id),
            _ => throw new SerializationException($"Unknown ping message \"{manifest}\"."),
        };
    }
}

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

    /// <summary>
    /// The pong process's end: a worker node's settings, on the transport a node speaks when its manager started it
    /// (<paramref name="direct"/>: Workers' direct transport only) or when an operator did (DotNetty).
    /// </summary>
    public static Config Ponger(bool direct) => direct
        ? ConfigurationFactory.ParseString($"akka.remote.enabled-transports = [\"{DirectTcpTransport.ConfigPath}\"]")
            .WithFallback(Binding.Value).WithFallback(WorkersConfiguration.WorkerNode)
        : Binding.Value.WithFallback(WorkersConfiguration.WorkerNode);
}
