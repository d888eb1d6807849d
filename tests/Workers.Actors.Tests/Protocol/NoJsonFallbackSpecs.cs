using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Workers.Actors.Tests.Protocol;

/// <summary>
/// A manager's and a node's ActorSystem have no Akka JSON serializer: nothing without a serializer of its own is
/// written as type-named JSON, and a payload that names its own type is refused instead of built
/// (<see cref="NoJsonFallbackSerializer"/>). Workers' and Akka.Remote's own messages keep their serializers.
/// </summary>
public sealed class NoJsonFallbackSpecs : IDisposable
{
    private readonly List<ActorSystem> _systems = [];

    public static TheoryData<string> Ends() => new() { "manager", "node" };

    public void Dispose()
    {
        foreach (var system in _systems)
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public void Should_have_no_serializer_for_what_is_not_bound(string end)
    {
        var serialization = System(end).Serialization;

        Assert.IsType<NoJsonFallbackSerializer>(serialization.FindSerializerForType(typeof(object)));
        Assert.IsType<NoJsonFallbackSerializer>(serialization.FindSerializerForType(typeof(Payload)));
        Assert.IsType<NoJsonFallbackSerializer>(serialization.FindSerializerForType(typeof(FileInfo)));
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public void Should_refuse_a_payload_that_Akkas_own_json_serializer_builds(string end)
    {
        // What a stranger with Akka's defaults sends: JSON that names the type to build.
        var plain = System("plain", ConfigurationFactory.Empty);
        var payload = new Payload("/etc/passwd");
        var json = plain.Serialization.FindSerializerFor(payload);
        Assert.IsType<NewtonSoftJsonSerializer>(json);
        var bytes = json.ToBinary(payload);
        var manifest = Akka.Serialization.Serialization.ManifestFor(json, payload);
        Assert.Equal(payload, plain.Serialization.Deserialize(bytes, json.Identifier, manifest)); // Akka builds it

        var refused = Assert.Throws<SerializationException>(() => System(end).Serialization.Deserialize(bytes, json.Identifier, manifest));

        Assert.Contains("Refused a message written by Akka's default JSON serializer", refused.Message);
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public void Should_say_how_to_bind_a_message_that_has_no_serializer_of_its_own(string end)
    {
        var serializer = System(end).Serialization.FindSerializerFor(new Payload("x"));

        var refused = Assert.Throws<SerializationException>(() => serializer.ToBinary(new Payload("x")));

        Assert.Contains(typeof(Payload).FullName!, refused.Message);
        Assert.Contains("akka.actor.serialization-bindings", refused.Message);
        Assert.Contains("Akka.Serialization.NewtonSoftJsonSerializer, Akka", refused.Message);
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public void Should_keep_Workers_and_Akka_Remote_messages_on_their_own_serializers(string end)
    {
        var serialization = System(end).Serialization;

        Assert.IsType<WorkerWireSerializer>(serialization.FindSerializerForType(typeof(RegisterWorker)));
        Assert.IsType<WorkerWireSerializer>(serialization.FindSerializerForType(typeof(ExecuteJob)));
        Assert.IsType<WorkerWireSerializer>(serialization.FindSerializerForType(typeof(NodeJobsEnded)));
        // What Akka.Remote itself sends between a manager and its nodes: lookups, DeathWatch, heartbeats, stops.
        Type[] remote =
        [
            typeof(ActorSelectionMessage), typeof(Identify), typeof(ActorIdentity), typeof(PoisonPill), typeof(Status.Failure),
            typeof(Akka.Dispatch.SysMsg.Watch), typeof(Akka.Dispatch.SysMsg.DeathWatchNotification), typeof(string),
            typeof(Akka.Remote.RemoteWatcher.Heartbeat), typeof(Akka.Remote.RemoteWatcher.HeartbeatRsp),
        ];
        Assert.All(remote, type => Assert.IsNotType<NoJsonFallbackSerializer>(serialization.FindSerializerForType(type)));
    }

    [Fact]
    public void Should_let_an_applications_own_configuration_put_Akkas_json_serializer_back()
    {
        var application = ConfigurationFactory.ParseString("""akka.actor.serializers.json = "Akka.Serialization.NewtonSoftJsonSerializer, Akka" """);

        var system = System("application", application.WithFallback(WorkersConfiguration.Manager));

        Assert.IsType<NewtonSoftJsonSerializer>(system.Serialization.FindSerializerForType(typeof(Payload)));
        Assert.IsType<WorkerWireSerializer>(system.Serialization.FindSerializerForType(typeof(RegisterWorker)));
    }

    private ActorSystem System(string end) => System(end, end == "node" ? WorkersConfiguration.WorkerNode : WorkersConfiguration.Manager);

    private ActorSystem System(string name, Config config)
    {
        var system = ActorSystem.Create($"no-json-{name}", config);
        _systems.Add(system);
        return system;
    }

    public sealed record Payload(string Path);
}
