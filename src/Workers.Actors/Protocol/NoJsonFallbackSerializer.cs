using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Workers.Actors;

/// <summary>
/// Takes the place of Akka's default serializer, <c>json</c> (Newtonsoft.Json with type names, bound to
/// <see cref="object"/>), in a manager's and a node's ActorSystem: it writes and reads nothing.
/// </summary>
/// <remarks>
/// <para>
/// Akka's JSON serializer writes every message with its type's name and, on the way in, builds whatever type a
/// payload names (Newtonsoft's <c>TypeNameHandling.All</c>, with no list of allowed types). Anyone who can open a TCP
/// connection to a manager's or a node's Akka.Remote port could have it build objects of their choosing before the
/// node token or the manager session is ever checked: a well-known way to run code through a deserializer. Workers'
/// own messages never need it (<see cref="WorkerWireSerializer"/> reads only its listed types, Akka.Remote's messages
/// have serializers of their own), so the configuration in <c>hocon/</c> binds the name <c>json</c> to this instead.
/// </para>
/// <para>
/// It keeps Akka's JSON serializer's identifier (1), so a payload written with it is refused by name here, and an
/// unbound message on its way out fails with a message that says how to bind it. Akka.Remote logs either and drops
/// that one message; the link stays up. A node then has no Newtonsoft.Json to load (about 5 ms of CPU on its own).
/// An application whose own actors need Akka's JSON serializer across the wire puts it back in its own configuration,
/// which wins over Workers' fallback: <c>akka.actor.serializers.json = "Akka.Serialization.NewtonSoftJsonSerializer, Akka"</c>.
/// </para>
/// </remarks>
internal sealed class NoJsonFallbackSerializer : Serializer
{
    /// <summary>The identifier of Akka's own JSON serializer, whose place this takes.</summary>
    public const int AkkaJsonIdentifier = 1;

    public NoJsonFallbackSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <summary>The constructor Akka calls when <c>akka.actor.serialization-settings.json</c> exists (Akka's defaults have it).</summary>
    public NoJsonFallbackSerializer(ExtendedActorSystem system, Config settings) : this(system)
    {
    }

    public override int Identifier => AkkaJsonIdentifier;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException(
            $"{obj.GetType()} has no serializer of its own, and Workers does not let Akka's default JSON serializer write it "
            + "(it names the message's type for the receiver to build). Bind the type in akka.actor.serialization-bindings, "
            + "or put Akka's JSON serializer back in your own configuration: akka.actor.serializers.json = "
            + "\"Akka.Serialization.NewtonSoftJsonSerializer, Akka\".");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException(
            $"Refused a message written by Akka's default JSON serializer ({bytes.Length:N0} bytes): Workers builds nothing "
            + "a payload names itself. The sender is not a Workers manager or node of this version, or it sent a type that "
            + "has no serializer of its own"); // no full stop: Akka.Remote's log goes on after it with ". "
}
