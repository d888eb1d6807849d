using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;
using System.Runtime.Serialization;

namespace Workers.Actors.Persistence;

/// <summary>
/// Writes the job store's records as UTF-8 JSON with a short manifest per record type. JSON rather than Hyperion:
/// the store outlives the process and the library version, and stays readable with plain SQL tools.
/// </summary>
internal sealed class JobStoreSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Serializer ids below 100 are Akka's own.</summary>
    public const int SerializerId = 4_711;

    public override int Identifier => SerializerId;

    /// <summary>hocon/manager.hocon binds the records; a system configured without it gets the binding here.</summary>
    public static void EnsureBound(ExtendedActorSystem system)
    {
        // Asking Serialization would cache its answer for the type; the configuration says it without side effects.
        if (system.Settings.Config.GetString("akka.actor.serialization-bindings.\"Workers.Actors.Persistence.IJobStoreRecord, Workers.Actors\"", null) is not null)
            return;
        var serializer = new JobStoreSerializer(system);
        system.Serialization.AddSerializer("workers-job-store", serializer);
        system.Serialization.AddSerializationMap(typeof(IJobStoreRecord), serializer);
    }

    public override string Manifest(object o) => o switch
    {
        JobAcceptedRecord => "accepted",
        JobStartedRecord => "started",
        JobEndedRecord => "ended",
        JobsRemovedRecord => "removed",
        JobStoreBatch => "batch",
        JobStoreSnapshot => "snapshot",
        _ => throw new ArgumentException($"{o.GetType()} is not a job store record.", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, TypeInfo(Manifest(obj)));

    public override object FromBinary(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize(bytes, TypeInfo(manifest))
        ?? throw new SerializationException($"The job store record \"{manifest}\" is empty.");

    private static JsonTypeInfo TypeInfo(string manifest) => manifest switch
    {
        "accepted" => JobStoreJsonContext.Default.JobAcceptedRecord,
        "started" => JobStoreJsonContext.Default.JobStartedRecord,
        "ended" => JobStoreJsonContext.Default.JobEndedRecord,
        "removed" => JobStoreJsonContext.Default.JobsRemovedRecord,
        "batch" => JobStoreJsonContext.Default.JobStoreBatch,
        "snapshot" => JobStoreJsonContext.Default.JobStoreSnapshot,
        _ => throw new SerializationException($"Unknown job store record \"{manifest}\": written by a newer version of Workers?"),
    };
}
