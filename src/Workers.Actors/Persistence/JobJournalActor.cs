using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace Workers.Actors.Persistence;

/// <summary>
/// The manager's journal: a child that writes the job lifecycle to the store and, when it starts, reads it back.
/// It keeps no state after recovery (the manager's job table is the state), so the table is not held twice; the
/// manager sends it the snapshots to save. Writes are asynchronous and batched by Akka.Persistence: while one batch
/// is written, the next one gathers.
/// </summary>
internal sealed class JobJournalActor : UntypedPersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _persistenceId;
    private OrderedJobs? _recovering = new();
    private readonly Stopwatch _recoveryTime = Stopwatch.StartNew();
    private int _eventsReplayed;

    public JobJournalActor(string persistenceId, string journalPluginId, string snapshotPluginId)
    {
        _persistenceId = persistenceId;
        JournalPluginId = journalPluginId;
        SnapshotPluginId = snapshotPluginId;
    }

    public override string PersistenceId => _persistenceId;

    public static Props Props(string persistenceId, string journalPluginId, string snapshotPluginId) =>
        Akka.Actor.Props.Create(() => new JobJournalActor(persistenceId, journalPluginId, snapshotPluginId));

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: JobStoreSnapshot snapshot }:
                _recovering = new OrderedJobs(snapshot);
                break;
            case JobStoreBatch batch:
                foreach (var record in batch.Records)
                    _recovering!.Apply(record);
                _eventsReplayed += batch.Records.Count;
                break;
            case RecoveryCompleted:
                var recovered = new JobStoreRecovered(_recovering!.Jobs(), _recovering.NextSequence, _eventsReplayed, _recoveryTime.Elapsed);
                _recovering = null; // the manager's table is the state from now on
                Context.Parent.Tell(recovered);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case StoreBatch batch:
                var acks = batch.Acks;
                // Answered even without acks: the manager sends its next batch once this one is written.
                PersistAsync(new JobStoreBatch(batch.Records), _ => Context.Parent.Tell(new RecordsStored(acks)));
                break;
            case FlushJournal:
                // Runs after every event persisted before it: the graceful stop waits for the store to be complete.
                var flushed = Sender;
                DeferAsync(Done.Instance, _ => flushed.Tell(Done.Instance));
                break;
            case SaveJobsSnapshot save:
                // After the events sent before it are written: the snapshot's sequence number then covers them, and
                // the delete that follows it takes them (a removed job's data) out of the database.
                DeferAsync(save, pending => SaveSnapshot(pending.Snapshot));
                break;
            case SaveSnapshotSuccess saved:
                // The snapshot holds every job: what came before it is dead weight, and deleting it is what makes a
                // cleared job leave the database.
                DeleteMessages(saved.Metadata.SequenceNr);
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                Context.Parent.Tell(new JobStoreSnapshotSaved(saved.Metadata.SequenceNr));
                break;
            case SaveSnapshotFailure failed:
                _log.Warning("Job store: a snapshot could not be saved ({0}); recovery replays more events until the next one", failed.Cause.Message);
                break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess:
                break;
            case DeleteMessagesFailure failed:
                _log.Warning("Job store: old events could not be deleted ({0}); they are deleted with the next snapshot", failed.Cause.Message);
                break;
            case DeleteSnapshotsFailure failed:
                _log.Warning("Job store: old snapshots could not be deleted ({0})", failed.Cause.Message);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(new JobStoreWriteFailed((IJobStoreRecord)@event, cause.GetBaseException().Message));
        base.OnPersistFailure(cause, @event, sequenceNr); // logs and stops: the manager starts a new journal
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(new JobStoreWriteFailed((IJobStoreRecord)@event, cause.GetBaseException().Message));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Context.Parent.Tell(new JobStoreUnavailable(reason.GetBaseException().Message));
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>The jobs being recovered, by id, in submission order.</summary>
    private sealed class OrderedJobs
    {
        private readonly Dictionary<string, StoredJob> _jobs;

        public OrderedJobs() => _jobs = [];

        public OrderedJobs(JobStoreSnapshot snapshot)
        {
            _jobs = snapshot.Jobs.ToDictionary(job => job.Id);
            NextSequence = snapshot.NextSequence;
        }

        public long NextSequence { get; private set; }

        public void Apply(IJobStoreRecord record)
        {
            switch (record)
            {
                case JobAcceptedRecord accepted:
                    _jobs[accepted.Job.Id] = accepted.Job;
                    NextSequence = Math.Max(NextSequence, accepted.Job.Sequence + 1);
                    break;
                case JobStartedRecord started when _jobs.TryGetValue(started.JobId, out var job):
                    _jobs[job.Id] = job with { Status = JobStatus.Running, WorkerId = started.WorkerId, WorkerPid = started.WorkerPid, StartedAt = started.StartedAt };
                    break;
                case JobEndedRecord ended when _jobs.TryGetValue(ended.JobId, out var job):
                    _jobs[job.Id] = job with
                    {
                        Status = ended.Status, CompletedAt = ended.CompletedAt, ResultJson = ended.ResultJson, Error = ended.Error, ParametersJson = null,
                        StartedAt = ended.StartedAt ?? job.StartedAt, WorkerId = ended.WorkerId ?? job.WorkerId, WorkerPid = ended.WorkerPid ?? job.WorkerPid,
                    };
                    break;
                case JobsRemovedRecord removed:
                    foreach (var id in removed.JobIds)
                        _jobs.Remove(id);
                    break;
            }
        }

        public IReadOnlyList<StoredJob> Jobs() => [.. _jobs.Values.OrderBy(job => job.Sequence)];
    }
}

/// <summary>Answered with <see cref="Done"/> once every event sent before it is written.</summary>
internal sealed class FlushJournal : INoSerializationVerificationNeeded
{
    public static readonly FlushJournal Instance = new();
}

/// <summary>Write <see cref="Records"/> as one event; once written, the journal sends <see cref="RecordsStored"/> with the acks.</summary>
internal sealed record StoreBatch(IReadOnlyList<IJobStoreRecord> Records, IReadOnlyList<object> Acks) : INoSerializationVerificationNeeded;

internal sealed record RecordsStored(IReadOnlyList<object> Acks) : INoSerializationVerificationNeeded;

internal sealed record SaveJobsSnapshot(JobStoreSnapshot Snapshot) : INoSerializationVerificationNeeded;

internal sealed record JobStoreRecovered(IReadOnlyList<StoredJob> Jobs, long NextSequence, int EventsReplayed, TimeSpan Took) : INoSerializationVerificationNeeded;

internal sealed record JobStoreWriteFailed(IJobStoreRecord Record, string Reason) : INoSerializationVerificationNeeded;

internal sealed record JobStoreUnavailable(string Reason) : INoSerializationVerificationNeeded;

internal sealed record JobStoreSnapshotSaved(long SequenceNr) : INoSerializationVerificationNeeded;
