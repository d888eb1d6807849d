using Akka.TestKit.Xunit2;
using Workers.WorkerNode;
using Xunit.Abstractions;

namespace Workers.Actors.Tests.WorkerNode;

/// <summary>
/// What a node sends about jobs reaches the proxy in the order it was sent, whether outcomes travel alone or together:
/// a job's end always comes before what follows it (the next job's chunks, a cancel's answer).
/// </summary>
public sealed class NodeOutboxSpecs(ITestOutputHelper output) : TestKit(output: output)
{
    [Fact]
    public async Task Should_send_a_lone_outcome_as_itself_from_the_node()
    {
        var proxy = CreateTestProbe("proxy");
        var node = CreateTestProbe("node");
        var outbox = new NodeOutbox(proxy.Ref, node.Ref);

        outbox.SendOutcome(new NodeJobSucceeded("job-1", "{}", 0));

        Assert.Equal(new NodeJobSucceeded("job-1", "{}", 0), await proxy.ExpectMsgAsync<NodeJobSucceeded>());
        Assert.Equal(node.Ref, proxy.LastSender);
    }

    [Fact]
    public async Task Should_send_the_outcome_of_the_last_job_held_before_returning_with_those_still_waiting()
    {
        var proxy = CreateTestProbe("proxy");
        var outbox = new NodeOutbox(proxy.Ref, CreateTestProbe("node").Ref);

        // Alone, it goes from the caller's thread: it is in the proxy's mailbox by the time the call returns.
        outbox.SendOutcome(new NodeJobSucceeded("job-1", "{}", 0), nothingFollows: true);
        Assert.True(proxy.HasMessages, "the outcome was not sent before SendOutcome returned");
        Assert.Equal("job-1", (await proxy.ExpectMsgAsync<NodeJobSucceeded>()).JobId);

        // Behind outcomes still waiting for their hand-off, it goes after them, never before.
        outbox.SendOutcome(new NodeJobSucceeded("job-2", "{}", 0));
        outbox.SendOutcome(new NodeJobFailed("job-3", "failed"), nothingFollows: true);
        var heard = new List<string>();
        while (heard.Count < 2)
        {
            heard.AddRange(await proxy.ReceiveOneAsync(TimeSpan.FromSeconds(10)) switch
            {
                NodeJobsEnded ended => ended.Outcomes.Select(JobIdOf),
                var message => [JobIdOf(message!)],
            });
        }
        Assert.Equal(["job-2", "job-3"], heard);
        await proxy.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_deliver_outcomes_in_order_and_before_any_message_sent_after_them()
    {
        const int jobs = 1_000; // more than one batch holds
        var proxy = CreateTestProbe("proxy");
        var outbox = new NodeOutbox(proxy.Ref, CreateTestProbe("node").Ref);

        for (var i = 0; i < jobs; i++)
        {
            outbox.SendOutcome(i % 7 == 0 ? new NodeJobFailed($"job-{i}", "failed") : new NodeJobSucceeded($"job-{i}", "{}", 0));
            if (i % 100 == 99)
                outbox.Send(new NodeProgress($"after-{i}", 0.5, null));
        }
        outbox.Send(new QueuedJobCancelled("last", false));

        var heard = new List<string>();
        while (heard.LastOrDefault() != "last")
        {
            var message = await proxy.ReceiveOneAsync(TimeSpan.FromSeconds(10));
            if (message is NodeJobsEnded batch)
                Assert.InRange(batch.Outcomes.Length, 2, NodeOutbox.MaxBatch);
            heard.AddRange(message switch
            {
                NodeJobsEnded ended => ended.Outcomes.Select(JobIdOf),
                NodeProgress progress => [progress.JobId],
                QueuedJobCancelled cancelled => [cancelled.JobId],
                _ => [JobIdOf(message)],
            });
        }

        var expected = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            expected.Add($"job-{i}");
            if (i % 100 == 99)
                expected.Add($"after-{i}");
        }
        expected.Add("last");
        Assert.Equal(expected, heard);
    }

    [Fact]
    public async Task Should_split_outcomes_that_together_are_larger_than_one_batch_may_carry()
    {
        // Each result fits a frame alone (the job runner checks that); twenty together would not, and the transport
        // would drop the message with every outcome in it.
        const int batchBytes = 10_000;
        var proxy = CreateTestProbe("proxy");
        var outbox = new NodeOutbox(proxy.Ref, CreateTestProbe("node").Ref, batchBytes);
        var result = $"\"{new string('é', 1_500)}\""; // 3,002 bytes of UTF-8 in 1,502 chars: sizes count bytes

        for (var i = 0; i < 19; i++)
            outbox.SendOutcome(new NodeJobSucceeded($"job-{i}", result, 0));
        outbox.SendOutcome(new NodeJobSucceeded("job-19", result, 0), nothingFollows: true);

        var heard = new List<string>();
        while (heard.Count < 20)
        {
            var message = await proxy.ReceiveOneAsync(TimeSpan.FromSeconds(10));
            var outcomes = message is NodeJobsEnded ended ? ended.Outcomes : [(IWorkerWireMessage)message!];
            Assert.InRange(outcomes.Sum(o => System.Text.Encoding.UTF8.GetByteCount(((NodeJobSucceeded)o).ResultJson!)), 1, batchBytes);
            heard.AddRange(outcomes.Select(JobIdOf));
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"job-{i}"), heard);
    }

    private static string JobIdOf(object outcome) => outcome switch
    {
        NodeJobSucceeded done => done.JobId,
        NodeJobFailed failed => failed.JobId,
        _ => throw new InvalidOperationException($"Not an outcome: {outcome}"),
    };
}
