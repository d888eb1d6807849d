using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using System.Runtime.Serialization;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Protocol;

/// <summary>
/// Every message that crosses the process boundary goes through <see cref="WorkerWireSerializer"/>, and only those do.
/// The wire types are found by reflection, so a new one without a sample here fails the suite instead of being
/// forgotten (the serializer refuses a type it does not know, so the round trip fails too).
/// </summary>
public sealed class WireSerializationSpecs(ITestOutputHelper output)
    : TestKit(ConfigurationFactory.ParseString("akka.actor.serialize-messages = on").WithFallback(WorkersConfiguration.Manager), "wire-spec", output)
{
    private static readonly Type[] WireTypes = [.. typeof(IWorkerWireMessage).Assembly.GetTypes()
        .Where(type => typeof(IWorkerWireMessage).IsAssignableFrom(type) && type is { IsInterface: false, IsAbstract: false })
        .OrderBy(type => type.Name)];

    public static TheoryData<string> WireTypeNames() => new(WireTypes.Select(type => type.Name));

    [Fact]
    public void Should_have_samples_of_every_wire_message()
    {
        var missing = WireTypes.Where(type => !Samples(TestActor).Any(sample => sample.GetType() == type)).Select(type => type.Name).ToList();

        Assert.True(missing.Count == 0, $"Wire messages without a sample in {nameof(WireSerializationSpecs)}: {string.Join(", ", missing)}");
        Assert.Contains(typeof(RegisterWorker), WireTypes); // the reflection really finds them
        Assert.True(WireTypes.Length >= 13);
    }

    [Theory]
    [MemberData(nameof(WireTypeNames))]
    public void Should_serialize_each_wire_message_with_the_wire_serializer(string typeName)
    {
        foreach (var sample in SamplesOf(typeName))
            Assert.IsType<WorkerWireSerializer>(Sys.Serialization.FindSerializerFor(sample));
    }

    [Theory]
    [MemberData(nameof(WireTypeNames))]
    public void Should_round_trip_each_wire_message(string typeName)
    {
        foreach (var sample in SamplesOf(typeName))
        {
            var serializer = Sys.Serialization.FindSerializerFor(sample);
            var bytes = serializer.ToBinary(sample);
            var manifest = Serialization.ManifestFor(serializer, sample);

            var copy = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

            AssertWireEqual(sample, copy);
        }
    }

    [Theory]
    [MemberData(nameof(WireTypeNames))]
    public async Task Should_pass_each_wire_message_through_an_actor_under_strict_serialization(string typeName)
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()));

        foreach (var sample in SamplesOf(typeName))
        {
            echo.Tell(sample, TestActor);
            var received = await ExpectMsgAsync<object>();
            if (sample is not StopWorkerNode) // a singleton: it is read back as itself
                Assert.NotSame(sample, received); // it was serialized on the way, twice
            AssertWireEqual(sample, received);
        }
    }

    [Fact]
    public void Should_not_bind_the_wire_serializer_to_anything_but_wire_messages()
    {
        var notWire = typeof(IWorkerWireMessage).Assembly.GetExportedTypes()
            .Where(type => type.Namespace == "Workers.Actors" && type is { IsClass: true, IsAbstract: false }
                           && !typeof(IWorkerWireMessage).IsAssignableFrom(type) && !typeof(Exception).IsAssignableFrom(type))
            .Append(typeof(Process))
            .Append(typeof(FileInfo))
            .Append(typeof(object))
            .ToList();

        Assert.Contains(typeof(JobSnapshot), notWire);
        Assert.All(notWire, type => Assert.IsNotType<WorkerWireSerializer>(Sys.Serialization.FindSerializerForType(type)));
        using var process = new Process(); // never started: only its type matters
        Assert.IsNotType<WorkerWireSerializer>(Sys.Serialization.FindSerializerFor(process));
        var wire = WireSerializer();
        Assert.Throws<ArgumentException>(() => wire.ToBinary(new FileInfo("/etc/passwd")));
    }

    [Fact]
    public void Should_refuse_a_message_of_an_unknown_type_with_a_reason()
    {
        var refused = Assert.Throws<SerializationException>(() => WireSerializer().FromBinary([1, 2, 3], "System.IO.FileInfo"));

        Assert.Contains("different versions of Workers", refused.Message);
    }

    [Theory]
    [MemberData(nameof(WireTypeNames))]
    public void Should_refuse_a_truncated_message_instead_of_reading_past_its_end(string typeName)
    {
        var wire = WireSerializer();
        foreach (var sample in SamplesOf(typeName))
        {
            var bytes = wire.ToBinary(sample);
            if (bytes.Length == 0)
                continue; // nothing to cut: StopWorkerNode
            var cut = bytes[..^1];

            Assert.Throws<SerializationException>(() => wire.FromBinary(cut, wire.Manifest(sample)));
        }
    }

    [Fact]
    public void Should_read_a_registration_from_a_peer_that_does_not_send_its_frame_size_as_not_saying()
    {
        // Workers before the frame sizes ended these two messages where the frame size now begins.
        var wire = WireSerializer();
        var registration = new RegisterWorker("worker-1", TestActor, 100000, ["echo"], null, MaxFrameBytes: 1_000_000);
        var registered = new WorkerRegistered("worker-1", TimeSpan.FromSeconds(1), MaxFrameBytes: 1_000_000);

        var oldRegistration = wire.FromBinary(wire.ToBinary(registration)[..^8], wire.Manifest(registration));
        var oldRegistered = wire.FromBinary(wire.ToBinary(registered)[..^8], wire.Manifest(registered));

        AssertWireEqual(registration with { MaxFrameBytes = 0 }, oldRegistration);
        Assert.Equal(registered with { MaxFrameBytes = 0 }, oldRegistered);
    }

    [Fact]
    public void Should_refuse_a_length_that_does_not_fit_in_the_message()
    {
        // A chunk batch that claims two billion texts: refused at once, before anything that size is allocated.
        byte[] claim = [1, (byte)'j', 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x07];

        Assert.Throws<SerializationException>(() => WireSerializer().FromBinary(claim, "c"));
    }

    private WorkerWireSerializer WireSerializer() =>
        Assert.IsType<WorkerWireSerializer>(Sys.Serialization.FindSerializerForType(typeof(IWorkerWireMessage)));

    private IEnumerable<object> SamplesOf(string typeName)
    {
        var samples = Samples(TestActor).Where(sample => sample.GetType().Name == typeName).ToList();
        Assert.True(samples.Count > 0, $"No sample of wire message {typeName}: add one to {nameof(Samples)}.");
        return samples;
    }

    /// <summary>At least one instance of every wire message; several where a field may be null or empty.</summary>
    private static IEnumerable<object> Samples(IActorRef actor) =>
    [
        new RegisterWorker("worker-1", actor, 100000, ["echo", "sleep"], "secret-token"),
        new RegisterWorker("worker-2", actor, 100001, [], null),
        new RegisterWorker("worker-3", actor, 100002, ["echo"], null, MaxFrameBytes: 16 * 1024 * 1024),
        new NodeChunks("job-1", 41, ["tok0 ", "tok1 ", "é ✓ "]),
        new NodeChunks("job-1", 0, []),
        new NodeProgress("job-1", 0.25, "loading"),
        new NodeProgress("job-1", 1, null),
        new NodeJobSucceeded("job-1", """{"text":"hello","metadata":{"pid":100000}}""", 0),
        new NodeJobSucceeded("job-2", null, 100_000, 123_456_789),
        new NodeJobFailed("job-2", "crashed", 987_654_321),
        new NodeJobFailed("job-1", "plugin failed on purpose"),
        new NodeJobsEnded([new NodeJobSucceeded("job-1", """{"text":"a"}""", 0, 1_000), new NodeJobFailed("job-2", "failed", 2_000), new NodeJobSucceeded("job-3", null, 3)]),
        new CancelQueuedJob("job-3"),
        new QueuedJobCancelled("job-3", true),
        new QueuedJobCancelled("job-4", false),
        new NodeHeartbeat(123_456_789),
        new NodePluginCommandReply(7, "echo", true, null),
        new NodePluginCommandReply(8, "echo", false, "no such file"),
        new WorkerRegistered("worker-1", TimeSpan.FromSeconds(1)),
        new WorkerRegistered("worker-2", TimeSpan.FromSeconds(2), MaxFrameBytes: 262_144),
        new NodeHeartbeat(123_456_789),
        new WorkerRegistrationRefused("worker-1", "slot worker-1 expects pid 100001"),
        new WorkerRegistrationRefused("gpu-1", "wrong token", TokenRejected: true),
        new ExecuteJob("job-1", "tokens", """{"count":3}""", true, """{"model":"small"}""", 100),
        new ExecuteJobs([new ExecuteJob("job-2", "echo", """{"text":"a"}""", false, "{}", 100), new ExecuteJob("job-3", "tokens", "{}", true, "{}", 1)]),
        new ChunksAck("job-1", 512),
        new NodeReloadPlugin(9, "echo", """{"greeting":"hi"}"""),
        new NodeUnloadPlugin(10, "echo"),
        new NodeLoadPlugin(11, "markov", """{"corpusPath":"/tmp/zoo.txt"}"""),
        StopWorkerNode.Instance,
    ];

    /// <summary>
    /// Field by field: records compare <see cref="ImmutableArray{T}"/> fields by reference, so collections are
    /// compared by their items; an <see cref="IActorRef"/> must come back as an equal reference.
    /// </summary>
    private static void AssertWireEqual(object expected, object? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var want = property.GetValue(expected);
            var got = property.GetValue(actual);
            if (want is IEnumerable items and not string)
                Assert.True(items.Cast<object>().SequenceEqual(((IEnumerable)got!).Cast<object>()), $"{expected.GetType().Name}.{property.Name} differs");
            else
                Assert.True(Equals(want, got), $"{expected.GetType().Name}.{property.Name}: expected {want}, got {got}");
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }
}
