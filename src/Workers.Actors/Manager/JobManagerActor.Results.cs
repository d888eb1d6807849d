using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Manager;

namespace Workers.Actors;

// What a node sends about its running job: chunks (acknowledged, so the node may send more), progress, the outcome.
public sealed partial class JobManagerActor
{
    /// <summary>Chunk acknowledgements held back while a flow-controlled subscriber is behind (at most one window per streaming node).</summary>
    private readonly List<(IActorRef Proxy, ChunksAck Ack)> _heldChunkAcks = [];

    private void Handle(AckJobEvents ack)
    {
        _subscribers.Ack(ack.Subscriber, ack.Count);
        ReleaseHeldChunks();
    }

    /// <summary>Lets the streaming nodes go on once no flow-controlled subscriber is behind.</summary>
    private void ReleaseHeldChunks()
    {
        if (_heldChunkAcks.Count == 0 || _subscribers.MustHoldBack)
            return;
        foreach (var (proxy, ack) in _heldChunkAcks)
            proxy.Tell(ack);
        _heldChunkAcks.Clear();
    }

    private void Handle(NodeChunks chunks)
    {
        if (RunningJobOf(Sender, chunks.JobId) is not { } job)
            return;
        foreach (var text in chunks.Texts)
        {
            job.StreamedText?.Append(text);
            Publish(new JobChunk(job.Id, job.NextChunkSequence++, text, false));
        }
        // Published to every subscriber: the node may send as many more, unless a flow-controlled subscriber is behind.
        var ack = new ChunksAck(job.Id, chunks.Texts.Length);
        if (_subscribers.MustHoldBack)
            _heldChunkAcks.Add((Sender, ack));
        else
            Sender.Tell(ack);
    }

    /// <summary>A job sent ahead was dropped from its node's queue, as a cancel asked: it never ran.</summary>
    private void Handle(QueuedJobCancelled cancelled)
    {
        if (SlotOf(Sender) is not { } slot || slot.Queued.Find(job => job.Id == cancelled.JobId) is not { } job)
            return;
        slot.Queued.Remove(job);
        job.Cancel(Now);
        EndJob(job, new JobCancelled(job.Id));
        Dispatch();
    }

    private void Handle(NodeProgress progress)
    {
        if (RunningJobOf(Sender, progress.JobId) is { } job)
            Publish(new JobProgress(job.Id, progress.Fraction, progress.Message));
    }

    private void Handle(NodeJobSucceeded done)
    {
        if (RunningJobOf(Sender, done.JobId) is not { } job || SlotOf(Sender) is not { } slot)
            return;
        if (done.MemoryBytes > 0)
            slot.MemoryBytes = done.MemoryBytes;
        if (done.ResultJson is null && done.ChunkCount != job.NextChunkSequence)
        {
            Fail(slot, job, $"the stream lost chunks: the node sent {done.ChunkCount}, the manager received {job.NextChunkSequence}");
            return;
        }
        JsonElement result;
        try
        {
            result = done.ResultJson is null
                ? JsonSerializer.SerializeToElement(new { text = job.StreamedText?.ToString() ?? "" })
                : JsonElement.Parse(done.ResultJson);
            if (_hooks is not null)
                result = _hooks.ExtractJobResult(job.ToSnapshot(), result);
        }
        catch (Exception e)
        {
            Fail(slot, job, $"the job's result could not be extracted: {e.Message}");
            return;
        }
        if (done.ResultJson is null)
            Publish(new JobChunk(job.Id, job.NextChunkSequence++, "", true));
        job.Complete(result, Now);
        RecordRunTime(job);
        slot.JobsCompleted++;
        slot.ConsecutiveFailures = 0;
        AfterJob(slot);
        EndJob(job, new JobCompleted(job.Id, result));
        StartQueued(slot);
        Dispatch();
        ReportIdle(slot);
    }

    private void Handle(NodeJobFailed failed)
    {
        if (RunningJobOf(Sender, failed.JobId) is not { } job || SlotOf(Sender) is not { } slot)
            return;
        if (failed.MemoryBytes > 0)
            slot.MemoryBytes = failed.MemoryBytes;
        Fail(slot, job, failed.Error);
    }

    /// <summary>The job failed but its node is fine: the slot takes the next job.</summary>
    private void Fail(Slot slot, JobRecord job, string error)
    {
        job.Fail(error, Now);
        RecordRunTime(job);
        AfterJob(slot);
        EndJob(job, new JobFailed(job.Id, error));
        StartQueued(slot);
        Dispatch();
        ReportIdle(slot);
    }

    /// <summary>How long the job took on its node, as the manager saw it: sets how many of its plugin's jobs go ahead.</summary>
    private void RecordRunTime(JobRecord job)
    {
        if (job is { StartedAt: { } started, CompletedAt: { } ended })
            _runTimes.Record(job.PluginName, ended - started);
    }
}
