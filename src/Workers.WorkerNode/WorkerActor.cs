using Akka.Actor;
using Akka.Event;
using Workers.Actors;

namespace Workers.WorkerNode;

/// <summary>
/// The node's actor: registers with the manager (connect-back), then runs one job or plugin command at a time.
/// Plugin commands that arrive while a job runs wait behind it. The node ends when its manager is gone.
/// </summary>
internal sealed class WorkerActor : ReceiveActor, IWithTimers, IWithStash
{
    private static readonly TimeSpan RegisterRetry = TimeSpan.FromMilliseconds(500);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeOptions _options;
    private readonly PluginHost _plugins;
    private readonly string? _token;
    private readonly TaskCompletionSource<int> _exit;
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _maxMessageBytes = Context.System.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 128_000;

    public WorkerActor(NodeOptions options, PluginHost plugins, string? token, TaskCompletionSource<int> exit)
    {
        _options = options;
        _plugins = plugins;
        _token = token;
        _exit = exit;
        Registering();
    }

    public ITimerScheduler Timers { get; set; } = null!;
    public IStash Stash { get; set; } = null!;

    public static Props Props(NodeOptions options, PluginHost plugins, string? token, TaskCompletionSource<int> exit) =>
        Akka.Actor.Props.Create(() => new WorkerActor(options, plugins, token, exit));

    protected override void PreStart()
    {
        StartupTrace.Mark("registering");
        SendRegistration();
        Timers.StartPeriodicTimer(RetryKey.Instance, RetryRegistration.Instance, RegisterRetry);
        Timers.StartSingleTimer(TimeoutKey.Instance, RegistrationTimedOut.Instance, _options.RegisterTimeout);
    }

    protected override void PostStop() => _stopping.Cancel();

    private void Registering()
    {
        Receive<RetryRegistration>(_ => SendRegistration());
        Receive<RegistrationTimedOut>(_ => Exit(ExitCode.ManagerUnreachable,
            $"The manager at {_options.ManagerPath} did not answer within {_options.RegisterTimeout.TotalSeconds:0.#} s. Is it running, and is the address right?"));
        Receive<WorkerRegistrationRefused>(refused => Exit(ExitCode.RegistrationRefused, $"The manager refused this node: {refused.Reason}"));
        Receive<WorkerRegistered>(registered =>
        {
            Timers.CancelAll();
            StartupTrace.Mark("registered");
            StartupTrace.Report();
            Timers.StartPeriodicTimer(HeartbeatKey.Instance, SendHeartbeat.Instance, registered.HeartbeatInterval);
            Context.Watch(Sender);
            _log.Info("Registered as [{0}] with [{1}]", _options.WorkerId, Sender.Path);
            Become(() => Idle(Sender));
        });
    }

    private void Idle(IActorRef manager)
    {
        Receive<ExecuteJob>(job =>
        {
            var runner = new JobRunner(job, manager, _options.WorkerId, _maxMessageBytes);
            Task.Run(() => runner.RunAsync(_plugins, _stopping.Token)).PipeTo(Self, manager);
            Become(() => Busy(manager, runner));
        });
        Receive<NodeReloadPlugin>(reload => RunCommand(manager, reload.CorrelationId, reload.PluginName,
            () => _plugins.ReloadAsync(reload.PluginName, reload.ConfigJson, _stopping.Token)));
        Receive<NodeUnloadPlugin>(unload => RunCommand(manager, unload.CorrelationId, unload.PluginName,
            () => _plugins.UnloadAsync(unload.PluginName)));
        Common(manager);
    }

    private void Busy(IActorRef manager, JobRunner? runner)
    {
        Receive<ChunksAck>(ack => runner?.Credits.Release(ack.Count));
        Receive<IWorkerWireMessage>(new Predicate<IWorkerWireMessage>(message => message is NodeJobSucceeded or NodeJobFailed), outcome =>
        {
            // With the memory right after the job, so the manager can recycle a node that grew past its limit.
            manager.Tell(outcome switch
            {
                NodeJobSucceeded done => done with { MemoryBytes = Environment.WorkingSet },
                NodeJobFailed failed => failed with { MemoryBytes = Environment.WorkingSet },
                _ => outcome,
            });
            BackToIdle(manager);
        });
        Receive<CommandDone>(done =>
        {
            done.ReplyTo.Tell(done.Reply);
            BackToIdle(manager);
        });
        Receive<ExecuteJob>(_ => Stash.Stash());
        Receive<NodeReloadPlugin>(_ => Stash.Stash());
        Receive<NodeUnloadPlugin>(_ => Stash.Stash());
        Common(manager);
    }

    private void BackToIdle(IActorRef manager)
    {
        Become(() => Idle(manager));
        Stash.UnstashAll();
    }

    private void RunCommand(IActorRef manager, long correlationId, string pluginName, Func<Task> command)
    {
        var replyTo = Sender;
        Task.Run(command).PipeTo(Self,
            success: () => new CommandDone(replyTo, new NodePluginCommandReply(correlationId, pluginName, true, null)),
            failure: e => new CommandDone(replyTo, new NodePluginCommandReply(correlationId, pluginName, false, e.GetBaseException().Message)));
        Become(() => Busy(manager, runner: null));
    }

    private void Common(IActorRef manager)
    {
        Receive<SendHeartbeat>(_ => manager.Tell(Heartbeat()));
        Receive<WorkerRegistered>(_ => { }); // the answer to a repeated registration
        Receive<StopWorkerNode>(_ => Exit(ExitCode.Ok, null));
        Receive<Terminated>(new Predicate<Terminated>(t => t.ActorRef.Equals(manager)), _ =>
            Exit(ExitCode.ManagerLost, $"Lost the manager at {manager.Path}; exiting so that no orphan keeps resources."));
    }

    private static NodeHeartbeat Heartbeat() => new(Environment.WorkingSet);

    private void SendRegistration() =>
        Context.ActorSelection(_options.ManagerPath).Tell(
            new RegisterWorker(_options.WorkerId, Self, Environment.ProcessId, _plugins.Names, _token));

    private void Exit(int code, string? message)
    {
        if (message is not null)
            Console.Error.WriteLine($"Workers.WorkerNode [{_options.WorkerId}]: {message}");
        StartupTrace.Report();
        _exit.TrySetResult(code);
        Context.Stop(Self);
    }

    private sealed record CommandDone(IActorRef ReplyTo, NodePluginCommandReply Reply) : INoSerializationVerificationNeeded;

    private sealed class RetryRegistration : IDeadLetterSuppression
    {
        public static readonly RetryRegistration Instance = new();
    }

    private sealed class RegistrationTimedOut
    {
        public static readonly RegistrationTimedOut Instance = new();
    }

    private sealed class SendHeartbeat : IDeadLetterSuppression
    {
        public static readonly SendHeartbeat Instance = new();
    }

    private sealed class HeartbeatKey
    {
        public static readonly HeartbeatKey Instance = new();
    }

    private sealed class RetryKey
    {
        public static readonly RetryKey Instance = new();
    }

    private sealed class TimeoutKey
    {
        public static readonly TimeoutKey Instance = new();
    }
}
