using System.Collections.Concurrent;
using Akka.Actor;

namespace Workers.Actors.Tests.Fakes;

/// <summary>An actor reference without an actor or a system: records what it is told, for plain unit tests.</summary>
internal sealed class RecordingActorRef(string name) : MinimalActorRef
{
    private static readonly Address TestAddress = new("akka", "unit-test");
    private readonly ConcurrentQueue<object> _received = new();

    public override ActorPath Path { get; } = new RootActorPath(TestAddress) / "user" / name;

    public override IActorRefProvider Provider => throw new NotSupportedException("No actor system in a unit test.");

    public IReadOnlyList<object> Received => [.. _received];

    protected override void TellInternal(object message, IActorRef sender) => _received.Enqueue(message);
}
