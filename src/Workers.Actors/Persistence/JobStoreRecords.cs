using System.Text.Json.Serialization;

namespace Workers.Actors.Persistence;

/// <summary>What the job store writes: journal events and snapshots, serialized by <see cref="JobStoreSerializer"/>.</summary>
/// <remarks>Inside a <see cref="JobStoreBatch"/> each event carries its kind, under the same names as the manifests.</remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(JobAcceptedRecord), "accepted")]
[JsonDerivedType(typeof(JobStartedRecord), "started")]
[JsonDerivedType(typeof(JobEndedRecord), "ended")]
[JsonDerivedType(typeof(JobsRemovedRecord), "removed")]
internal interface IJobStoreRecord;

/// <summary>
/// One job as the store keeps it. Plain data with stable names: these records are read back by later versions of
/// the library, so fields are only ever added (with defaults), never renamed.
/// </summary>
internal sealed record StoredJob
{
    public required string Id { get; init; }
    public required string PluginId { get; init; }
    public required long Sequence { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public JobStatus Status { get; init; }

    /// <summary>The parameters the job was accepted with; null once it has finished.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter))]
    public string? ParametersJson { get; init; }

    public bool Stream { get; init; }
    public int Priority { get; init; }
    public TimeSpan? Timeout { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    [JsonConverter(typeof(EmbeddedJsonConverter))]
    public string? ResultJson { get; init; }
    public string? Error { get; init; }
    public string? WorkerId { get; init; }
    public int? WorkerPid { get; init; }
}

/// <summary>The job was accepted: it is answered to the caller only once this is written.</summary>
internal sealed record JobAcceptedRecord(StoredJob Job) : IJobStoreRecord;

/// <summary>Written only under <see cref="RecoverRunningJobs.Fail"/>: otherwise a running job recovers as a pending one does.</summary>
internal sealed record JobStartedRecord(string JobId, string WorkerId, int WorkerPid, DateTimeOffset StartedAt) : IJobStoreRecord;

/// <summary>The job's end, with where and when it ran (so a store without <see cref="JobStartedRecord"/>s still has them).</summary>
internal sealed record JobEndedRecord(
    string JobId, JobStatus Status, DateTimeOffset CompletedAt, [property: JsonConverter(typeof(EmbeddedJsonConverter))] string? ResultJson, string? Error)
    : IJobStoreRecord
{
    public DateTimeOffset? StartedAt { get; init; }
    public string? WorkerId { get; init; }
    public int? WorkerPid { get; init; }
}

/// <summary>Finished jobs removed by <see cref="ClearCompletedJobs"/> or by the retention period.</summary>
internal sealed record JobsRemovedRecord(IReadOnlyList<string> JobIds) : IJobStoreRecord;

/// <summary>
/// The events the manager recorded while handling one burst of messages, written as one journal event: a row and a
/// write acknowledgement per burst instead of per job, which is what keeps journaling cheap at thousands of jobs a second.
/// </summary>
internal sealed record JobStoreBatch(IReadOnlyList<IJobStoreRecord> Records) : IJobStoreRecord;

/// <summary>Every job the manager holds, in submission order, and the next submission number.</summary>
internal sealed record JobStoreSnapshot(IReadOnlyList<StoredJob> Jobs, long NextSequence) : IJobStoreRecord;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(JobAcceptedRecord))]
[JsonSerializable(typeof(JobStartedRecord))]
[JsonSerializable(typeof(JobEndedRecord))]
[JsonSerializable(typeof(JobsRemovedRecord))]
[JsonSerializable(typeof(JobStoreSnapshot))]
[JsonSerializable(typeof(JobStoreBatch))]
internal sealed partial class JobStoreJsonContext : JsonSerializerContext;
