using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Workers.Actors.Manager;
using Workers.Actors.Proxy;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.Manager;

/// <summary>
/// The manager's mailbox hands it what the proxies report before what clients ask, each kind in arrival order: a
/// burst of submits never holds back the outcomes that free nodes for their next jobs.
/// </summary>
public sealed class JobManagerMailboxSpecs(ITestOutputHelper output) : TestKit(WorkersConfiguration.Manager, output: output)
{
    [Fact]
    public async Task Should_take_what_proxies_report_before_what_clients_ask_each_in_arrival_order()
    {
        var gate = new TaskCompletionSource();
        var recorder = Sys.ActorOf(Props.Create(() => new Recorder(gate.Task, TestActor)).WithMailbox(JobManagerMailbox.Id));
        recorder.Tell("hold"); // the recorder waits on the gate while the rest queue up behind it
        await ExpectMsgAsync("holding");

        recorder.Tell(new StartJob("echo", default, new JobOptions { JobId = "submit-1" }));
        recorder.Tell(new NodeJobSucceeded("done-1", "{}", 0));
        recorder.Tell(new GetJob("query-1"));
        recorder.Tell(new NodeChunks("chunks-1", 0, ["a"]));
        recorder.Tell(new StartJob("echo", default, new JobOptions { JobId = "submit-2" }));
        recorder.Tell(new NodeJobFailed("failed-1", "error"));
        recorder.Tell(new SlotReady(1, ImmutableArray<string>.Empty));
        recorder.Tell(new CancelJob("cancel-1"));
        gate.SetResult();

        var heard = new List<string>();
        for (var i = 0; i < 8; i++)
            heard.Add(await ExpectMsgAsync<string>());
        Assert.Equal(["done-1", "chunks-1", "failed-1", "slot-ready", "submit-1", "query-1", "submit-2", "cancel-1"], heard);
    }

    [Fact]
    public void Should_be_the_mailbox_a_job_manager_runs_on()
    {
        Assert.Equal(JobManagerMailbox.Id, JobManagerActor.Props(new JobManagerOptions { WorkerType = "mailbox" }).Mailbox);
    }

    /// <summary>Tells the probe an id for each message, after holding its first message until the gate opens.</summary>
    private sealed class Recorder : UntypedActor
    {
        private readonly Task _gate;
        private readonly IActorRef _probe;

        public Recorder(Task gate, IActorRef probe) => (_gate, _probe) = (gate, probe);

        protected override void OnReceive(object message)
        {
            if (message is "hold")
            {
                _probe.Tell("holding");
                _gate.Wait(TimeSpan.FromSeconds(10)); // blocks on purpose: the mailbox fills meanwhile
                return;
            }
            _probe.Tell(message switch
            {
                StartJob start => start.Options!.JobId!,
                GetJob get => get.JobId,
                CancelJob cancel => cancel.JobId,
                NodeJobSucceeded done => done.JobId,
                NodeJobFailed failed => failed.JobId,
                NodeChunks chunks => chunks.JobId,
                SlotReady => "slot-ready",
                _ => $"unexpected {message}",
            });
        }
    }
}
