using System.Text.Json;
using Akka.Actor;
using Workers.Actors.Manager;

namespace Workers.Actors;

// Submitting a job: idempotency, the rules, the plugin's registry entry and configuration, the domain hooks and the
// asynchronous resource validation, then the queue.
public sealed partial class JobManagerActor
{
    private static readonly JobOptions NoOptions = new(); // a record with init-only properties: one serves every job

    private void Handle(StartJob start)
    {
        var options = start.Options ?? NoOptions;
        if (AnsweredAsExisting(start, options, Sender))
            return;
        if (RejectNow(start) is { } rejected)
        {
            Sender.Tell(rejected);
            return;
        }
        PluginTarget? target;
        string? error;
        try
        {
            target = _resolver.Resolve(start.PluginId, _pluginConfigs, out error);
        }
        catch (Exception e)
        {
            (target, error) = (null, $"Plugin {start.PluginId} cannot be used: the plugin registry failed ({e.Message}).");
        }
        if (target is null)
        {
            Sender.Tell(new JobRejected(error!));
            return;
        }
        if (_hooks is not null)
        {
            try
            {
                options = _hooks.CreateJob(start.PluginId, start.Parameters, options);
            }
            catch (Exception e)
            {
                Sender.Tell(new JobRejected($"The job could not be created: {e.Message}"));
                return;
            }
            // The hook may have chosen the id: of a job that exists, or one the rules refuse.
            if (AnsweredAsExisting(start, options, Sender))
                return;
            if (JobSubmission.Invalid(start with { Options = options }, _maxPayloadBytes) is { } refused)
            {
                Sender.Tell(new JobRejected(refused));
                return;
            }
        }

        if (QueueFull() is { } full)
        {
            Sender.Tell(full);
            return;
        }

        if (_hooks is not null && target.Config is { ValueKind: JsonValueKind.Object } config && config.EnumerateObject().Any())
            ValidateThenAccept(start with { Options = options }, target, config, Sender);
        else
            Accept(start, options, target, Sender);
    }

    /// <summary>
    /// Validation may take time (it may ask a GPU how much memory is free): off the manager's thread, and the job is
    /// accepted or rejected when the answer comes back. A method of its own: the lambdas' captures would otherwise be
    /// allocated on every submit, validated or not.
    /// </summary>
    private void ValidateThenAccept(StartJob validated, PluginTarget target, JsonElement config, IActorRef replyTo) =>
        Validate(validated.PluginId, config)
            .PipeTo(Self, success: problem => new ResourcesValidated(validated, target, replyTo, problem),
                failure: e => new ResourcesValidated(validated, target, replyTo, e.GetBaseException().Message));

    /// <summary>The hook's validation as a task, also when an override throws before returning one.</summary>
    private Task<string?> Validate(string pluginId, JsonElement config)
    {
        try
        {
            return _hooks!.ValidateResourcesAsync(pluginId, config).AsTask();
        }
        catch (Exception e)
        {
            return Task.FromException<string?>(e);
        }
    }

    private void Handle(ResourcesValidated validated)
    {
        var start = validated.Start;
        if (validated.Problem is { } problem)
        {
            validated.ReplyTo.Tell(new JobRejected($"Resource validation failed: {problem}"));
            return;
        }
        if (AnsweredAsExisting(start, start.Options!, validated.ReplyTo))
            return; // the same id was submitted again while this one was validated
        if ((RejectNow(start) ?? QueueFull()) is { } rejected)
            validated.ReplyTo.Tell(rejected);
        else
            Accept(start, start.Options!, validated.Target, validated.ReplyTo);
    }

    /// <summary>
    /// Idempotent submit: the same id is the same job, as long as it names the same plugin. A job whose acceptance the
    /// store has not written yet is not accepted yet: the repeat is answered with the first submitter, accepted or
    /// refused as the write turns out.
    /// </summary>
    private bool AnsweredAsExisting(StartJob start, JobOptions options, IActorRef replyTo)
    {
        if (options.JobId is not { } id || !_jobs.TryGetValue(id, out var existing))
            return false;
        if (existing.PluginId != start.PluginId)
            replyTo.Tell(new JobRejected($"Job id \"{id}\" is already used by a job of plugin \"{existing.PluginId}\"."));
        else if (existing.AwaitingStore)
            AwaitStoreToo(id, replyTo);
        else
            replyTo.Tell(new JobAccepted(existing.ToSnapshot()));
        return true;
    }

    private JobRejected? RejectNow(StartJob start) =>
        _stopping ? new JobRejected("The job manager is shutting down.", JobRejectionKind.Unavailable)
        : _storeProblem is not null ? StoreUnavailableRejection()
        : NoSlotCanRunJobs ? new JobRejected("No worker can run jobs: every slot has failed (see the WorkerFailed events and the log).", JobRejectionKind.Unavailable)
        : JobSubmission.Invalid(start, _maxPayloadBytes) is { } invalid ? new JobRejected(invalid)
        : null;

    /// <summary>Checked after everything about the job itself: a job that could never run is told so, not "retry later".</summary>
    private JobRejected? QueueFull() =>
        JobSubmission.QueueFull(_pending.Count, _options.Worker) is { } full ? new JobRejected(full, JobRejectionKind.QueueFull) : null;

    private void Accept(StartJob start, JobOptions options, PluginTarget target, IActorRef replyTo)
    {
        var job = new JobRecord(options.JobId ?? Guid.NewGuid().ToString("N"), start.PluginId, target,
            JobSubmission.ParametersJson(start.Parameters), options, _nextSequence++, Now);
        _jobs.Add(job.Id, job);
        if (Journaled)
            AcceptDurably(job, replyTo);
        else
            Admit(job, replyTo);
    }

    /// <summary>Answers the caller and queues the job (unless it was cancelled while the store wrote it).</summary>
    private void Admit(JobRecord job, IActorRef replyTo)
    {
        replyTo.Tell(new JobAccepted(job.ToSnapshot()));
        if (job.Status != JobStatus.Pending)
            return;
        _pending.Enqueue(job);
        Publish(new JobQueued(job.Id, job.PluginId));
        Dispatch();
    }

    /// <summary>The parameters the node gets: the job's own, or what the domain's hook makes of them.</summary>
    private string ExecuteParameters(JobRecord job) =>
        _hooks is null
            ? job.ParametersJson!
            : _hooks.PrepareExecuteRequest(job.ToSnapshot(), JsonElement.Parse(job.ParametersJson!)) is { ValueKind: JsonValueKind.Object } prepared
                ? prepared.GetRawText()
                : throw new InvalidOperationException("PrepareExecuteRequest must return a JSON object.");

    private sealed record ResourcesValidated(StartJob Start, PluginTarget Target, IActorRef ReplyTo, string? Problem)
        : INoSerializationVerificationNeeded;
}
