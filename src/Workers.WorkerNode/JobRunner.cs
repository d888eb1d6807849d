using System.Diagnostics;
using System.Threading.Channels;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Workers.Actors;
using Workers.Plugins;

namespace Workers.WorkerNode;

/// <summary>
/// Runs one job off the actor's thread and sends its chunks and progress straight to the manager's proxy.
/// Streamed chunks are batched (whatever is ready goes in one message) and bounded by <see cref="Credits"/>, so a
/// plugin that produces faster than the manager consumes waits in its <c>yield</c> instead of filling memory.
/// </summary>
internal sealed class JobRunner
{
    private const int MaxBatch = 512;
    private static readonly long ProgressInterval = Stopwatch.Frequency / 10; // at most ten updates a second

    private readonly ExecuteJob _job;
    private readonly NodeOutbox _outbox;
    private readonly string _workerId;
    private readonly object _progressGate = new();
    private long _lastProgressAt = -ProgressInterval;
    private NodeProgress? _pendingProgress;

    private readonly long _maxPayloadBytes;

    /// <param name="outbox">where the job's chunks and progress go, after the outcomes of the jobs before it</param>
    /// <param name="maxMessageBytes">the largest message the transport carries (akka.remote's maximum-frame-size)</param>
    public JobRunner(ExecuteJob job, NodeOutbox outbox, string workerId, long maxMessageBytes)
    {
        _job = job;
        _maxPayloadBytes = WireLimits.PayloadBytes(maxMessageBytes);
        _outbox = outbox;
        _workerId = workerId;
        Credits = new ChunkCredits(Math.Max(1, job.ChunkWindow));
    }

    public ChunkCredits Credits { get; }

    public string JobId => _job.JobId;

    /// <summary>Never throws: a failing plugin becomes <see cref="NodeJobFailed"/> with its message.</summary>
    public async Task<IWorkerWireMessage> RunAsync(PluginHost plugins, CancellationToken stopping)
    {
        try
        {
            var plugin = await plugins.GetAsync(_job.PluginId, _job.ConfigJson, stopping).ConfigureAwait(false);
            using var parameters = JsonDocument.Parse(_job.ParametersJson);
            var context = new JobContext(_job.JobId, parameters.RootElement, _workerId, Environment.ProcessId, ReportProgress, stopping);
            IWorkerWireMessage outcome = _job.Stream && plugin is IStreamingWorkerPlugin streaming
                ? await StreamAsync(streaming, context, stopping).ConfigureAwait(false)
                : Checked(ResultAdapter.ToJson(await plugin.ExecuteAsync(context).ConfigureAwait(false)));
            FlushProgress();
            return outcome;
        }
        catch (Exception e)
        {
            FlushProgress();
            return new NodeJobFailed(_job.JobId, Describe(e));
        }
    }

    /// <summary>
    /// Goes once through what <see cref="RunAsync"/> does around a plugin, with a made-up job: parameters read from
    /// JSON, a result of strings, numbers and a nested object turned into JSON (see <see cref="JobLoop.TryWarmUp"/>).
    /// Never throws: a warm-up that fails only leaves the set-up to the first job.
    /// </summary>
    public static void WarmUp()
    {
        try
        {
            using var parameters = JsonDocument.Parse("""{"text":"warm-up","count":1}""");
            var root = parameters.RootElement;
            var json = ResultAdapter.WarmUp(new { text = root.GetProperty("text").GetString(), metadata = new { count = root.GetProperty("count").GetInt32() } });
            _ = Encoding.UTF8.GetByteCount(json);
        }
        catch (Exception)
        {
            // Nothing lost: the first job sets the serializer up itself.
        }
    }

    /// <summary>
    /// A result larger than one message cannot travel: the transport would drop it and the job would never end. It
    /// fails the job instead, saying what to change.
    /// </summary>
    private IWorkerWireMessage Checked(string resultJson)
    {
        var bytes = Encoding.UTF8.GetByteCount(resultJson);
        return bytes <= _maxPayloadBytes
            ? new NodeJobSucceeded(_job.JobId, resultJson, 0)
            : new NodeJobFailed(_job.JobId, $"The job's result is {bytes:N0} bytes, more than the {_maxPayloadBytes:N0} bytes one message can carry. "
                + "Stream it (JobOptions.Stream), write it to a file and return the path, or raise akka.remote.dot-netty.tcp.maximum-frame-size on both sides.");
    }

    private async Task<NodeJobSucceeded> StreamAsync(IStreamingWorkerPlugin plugin, JobContext context, CancellationToken stopping)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(Math.Max(1, _job.ChunkWindow))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var chunk in plugin.StreamAsync(context).WithCancellation(stopping).ConfigureAwait(false))
                    await channel.Writer.WriteAsync(chunk, stopping).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, stopping);

        long sequence = 0;
        var reader = channel.Reader;
        var batch = new List<string>(MaxBatch);
        while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
        {
            var credits = await Credits.TakeAsync(Math.Min(MaxBatch, Math.Max(1, reader.Count)), stopping).ConfigureAwait(false);
            long batchBytes = 0;
            while (batch.Count < credits && reader.TryPeek(out var next))
            {
                // A batch stays well inside one message; a single chunk that cannot fit fails the job.
                var bytes = Encoding.UTF8.GetByteCount(next);
                if (bytes > _maxPayloadBytes)
                    throw new InvalidOperationException($"A chunk of {bytes:N0} bytes is more than the {_maxPayloadBytes:N0} bytes one message can carry.");
                if (batch.Count > 0 && batchBytes + bytes > _maxPayloadBytes / 4)
                    break;
                reader.TryRead(out var chunk);
                batch.Add(chunk!);
                batchBytes += bytes;
            }
            Credits.Return(credits - batch.Count);
            _outbox.Send(new NodeChunks(_job.JobId, sequence, [.. batch]));
            sequence += batch.Count;
            batch.Clear();
        }
        await producer.ConfigureAwait(false);
        return new NodeJobSucceeded(_job.JobId, null, sequence);
    }

    private void ReportProgress(double fraction, string? message)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_progressGate)
        {
            _pendingProgress = new NodeProgress(_job.JobId, fraction, message);
            if (now - _lastProgressAt < ProgressInterval)
                return; // kept as pending: the latest value is sent later
            _lastProgressAt = now;
        }
        FlushProgress();
    }

    private void FlushProgress()
    {
        NodeProgress? progress;
        lock (_progressGate)
        {
            progress = _pendingProgress;
            _pendingProgress = null;
        }
        if (progress is not null)
            _outbox.Send(progress);
    }

    private static string Describe(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        ChannelClosedException { InnerException: { } inner } => Describe(inner),
        _ => e.Message,
    };
}
