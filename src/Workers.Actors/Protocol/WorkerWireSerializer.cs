using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace Workers.Actors;

/// <summary>
/// Writes the messages between a manager and its nodes (<see cref="IWorkerWireMessage"/>) in a compact binary form,
/// with a short manifest per message type. Each type's fields are written by hand, in order.
/// </summary>
/// <remarks>
/// <para>
/// Hand-written rather than Hyperion, for start-up and per-message cost: Hyperion builds a serializer per type on
/// first use by compiling expression trees, which cost a fresh node about 55 ms of CPU for Hyperion itself and
/// about 230 ms for the first messages of each type — a cold node's registration and first job paid most of it —
/// and it writes type names into every message. It is also safer: only the types listed here can be read, so
/// nothing else can be made to travel or be built on the way in.
/// </para>
/// <para>
/// Both ends of a link must run the same version of Workers (the manager starts its nodes from its own build; an
/// external node must be upgraded with its manager): an unknown manifest is refused with a message that says so.
/// </para>
/// </remarks>
internal sealed class WorkerWireSerializer(ExtendedActorSystem actorSystem) : SerializerWithStringManifest(actorSystem)
{
    /// <summary>Serializer ids below 100 are Akka's own; 4711 is the job store's.</summary>
    public const int SerializerId = 4_712;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        ExecuteJob => "x",
        ExecuteJobs => "X",
        NodeJobSucceeded => "s",
        NodeJobFailed => "f",
        NodeJobsEnded => "E",
        NodeChunks => "c",
        ChunksAck => "a",
        NodeProgress => "p",
        NodeHeartbeat => "h",
        CancelQueuedJob => "q",
        QueuedJobCancelled => "Q",
        RegisterWorker => "R",
        WorkerRegistered => "W",
        WorkerRegistrationRefused => "N",
        NodeReloadPlugin => "L",
        NodeUnloadPlugin => "U",
        NodeLoadPlugin => "l",
        NodePluginCommandReply => "P",
        StopWorkerNode => "S",
        _ => throw new ArgumentException($"{o.GetType()} is not a worker wire message.", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var writer = new WireWriter(stackalloc byte[256]);
        try
        {
            Write(ref writer, obj);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var reader = new WireReader(bytes);
        try
        {
            return Read(ref reader, manifest);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or DecoderFallbackException)
        {
            throw new SerializationException($"A worker wire message \"{manifest}\" of {bytes.Length} bytes is malformed: {e.Message}", e);
        }
    }

    private void Write(ref WireWriter w, object message)
    {
        switch (message)
        {
            case ExecuteJob job:
                WriteJob(ref w, job);
                break;
            case ExecuteJobs batch:
                w.Count(batch.Jobs.Length);
                foreach (var job in batch.Jobs)
                    WriteJob(ref w, job);
                break;
            case NodeJobSucceeded done:
                WriteSucceeded(ref w, done);
                break;
            case NodeJobFailed failed:
                WriteFailed(ref w, failed);
                break;
            case NodeJobsEnded ended:
                // Each outcome behind a flag: true for a success, false for a failure.
                w.Count(ended.Outcomes.Length);
                foreach (var outcome in ended.Outcomes)
                {
                    switch (outcome)
                    {
                        case NodeJobSucceeded done:
                            w.Bool(true);
                            WriteSucceeded(ref w, done);
                            break;
                        case NodeJobFailed failed:
                            w.Bool(false);
                            WriteFailed(ref w, failed);
                            break;
                        default:
                            throw new ArgumentException($"{outcome.GetType()} is not a job outcome.", nameof(message));
                    }
                }
                break;
            case NodeChunks chunks:
                w.String(chunks.JobId);
                w.Long(chunks.FirstSequence);
                w.Strings(chunks.Texts);
                break;
            case ChunksAck ack:
                w.String(ack.JobId);
                w.Int(ack.Count);
                break;
            case NodeProgress progress:
                w.String(progress.JobId);
                w.Double(progress.Fraction);
                w.NullableString(progress.Message);
                break;
            case NodeHeartbeat heartbeat:
                w.Long(heartbeat.MemoryBytes);
                break;
            case CancelQueuedJob cancel:
                w.String(cancel.JobId);
                break;
            case QueuedJobCancelled cancelled:
                w.String(cancelled.JobId);
                w.Bool(cancelled.Removed);
                break;
            case RegisterWorker registration:
                w.String(registration.WorkerId);
                w.String(Serialization.SerializedActorPath(registration.Worker));
                w.Int(registration.Pid);
                w.Strings(registration.Plugins);
                w.NullableString(registration.Token);
                w.Long(registration.MaxFrameBytes);
                break;
            case WorkerRegistered registered:
                w.String(registered.WorkerId);
                w.Long(registered.HeartbeatInterval.Ticks);
                w.Long(registered.MaxFrameBytes);
                break;
            case WorkerRegistrationRefused refused:
                w.String(refused.WorkerId);
                w.String(refused.Reason);
                w.Bool(refused.TokenRejected);
                break;
            case NodeReloadPlugin reload:
                w.Long(reload.CorrelationId);
                w.String(reload.PluginName);
                w.String(reload.ConfigJson);
                break;
            case NodeUnloadPlugin unload:
                w.Long(unload.CorrelationId);
                w.String(unload.PluginName);
                break;
            case NodeLoadPlugin load:
                w.Long(load.CorrelationId);
                w.String(load.PluginName);
                w.String(load.ConfigJson);
                break;
            case NodePluginCommandReply reply:
                w.Long(reply.CorrelationId);
                w.String(reply.PluginName);
                w.Bool(reply.Success);
                w.NullableString(reply.Error);
                break;
            case StopWorkerNode:
                break;
            default:
                throw new ArgumentException($"{message.GetType()} is not a worker wire message.", nameof(message));
        }
    }

    private static void WriteJob(ref WireWriter w, ExecuteJob job)
    {
        w.String(job.JobId);
        w.String(job.PluginId);
        w.String(job.ParametersJson);
        w.Bool(job.Stream);
        w.String(job.ConfigJson);
        w.Int(job.ChunkWindow);
    }

    private static void WriteSucceeded(ref WireWriter w, NodeJobSucceeded done)
    {
        w.String(done.JobId);
        w.NullableString(done.ResultJson);
        w.Long(done.ChunkCount);
        w.Long(done.MemoryBytes);
    }

    private static void WriteFailed(ref WireWriter w, NodeJobFailed failed)
    {
        w.String(failed.JobId);
        w.String(failed.Error);
        w.Long(failed.MemoryBytes);
    }

    private static ExecuteJob ReadJob(ref WireReader r) => new(r.String(), r.String(), r.String(), r.Bool(), r.String(), r.Int());

    private static NodeJobSucceeded ReadSucceeded(ref WireReader r) => new(r.String(), r.NullableString(), r.Long(), r.Long());

    private static NodeJobFailed ReadFailed(ref WireReader r) => new(r.String(), r.String(), r.Long());

    private static ExecuteJobs ReadJobs(ref WireReader r)
    {
        var jobs = ImmutableArray.CreateBuilder<ExecuteJob>(r.Count());
        for (var i = 0; i < jobs.Capacity; i++)
            jobs.Add(ReadJob(ref r));
        return new ExecuteJobs(jobs.MoveToImmutable());
    }

    private static NodeJobsEnded ReadOutcomes(ref WireReader r)
    {
        var outcomes = ImmutableArray.CreateBuilder<IWorkerWireMessage>(r.Count());
        for (var i = 0; i < outcomes.Capacity; i++)
            outcomes.Add(r.Bool() ? ReadSucceeded(ref r) : ReadFailed(ref r));
        return new NodeJobsEnded(outcomes.MoveToImmutable());
    }

    private object Read(ref WireReader r, string manifest) => manifest switch
    {
        "x" => ReadJob(ref r),
        "X" => ReadJobs(ref r),
        "s" => ReadSucceeded(ref r),
        "f" => ReadFailed(ref r),
        "E" => ReadOutcomes(ref r),
        "c" => new NodeChunks(r.String(), r.Long(), r.Strings()),
        "a" => new ChunksAck(r.String(), r.Int()),
        "p" => new NodeProgress(r.String(), r.Double(), r.NullableString()),
        "h" => new NodeHeartbeat(r.Long()),
        "q" => new CancelQueuedJob(r.String()),
        "Q" => new QueuedJobCancelled(r.String(), r.Bool()),
        // The frame sizes came last, after the first release: a peer that does not send them is read as not saying.
        "R" => new RegisterWorker(r.String(), system.Provider.ResolveActorRef(r.String()), r.Int(), r.Strings(), r.NullableString(), r.AtEnd ? 0 : r.Long()),
        "W" => new WorkerRegistered(r.String(), TimeSpan.FromTicks(r.Long()), r.AtEnd ? 0 : r.Long()),
        "N" => new WorkerRegistrationRefused(r.String(), r.String(), r.Bool()),
        "L" => new NodeReloadPlugin(r.Long(), r.String(), r.String()),
        "U" => new NodeUnloadPlugin(r.Long(), r.String()),
        "l" => new NodeLoadPlugin(r.Long(), r.String(), r.String()),
        "P" => new NodePluginCommandReply(r.Long(), r.String(), r.Bool(), r.NullableString()),
        "S" => StopWorkerNode.Instance,
        _ => throw new SerializationException(
            $"Unknown worker wire message \"{manifest}\": the manager and the node run different versions of Workers. Run the same version on both ends."),
    };

    /// <summary>
    /// Appends fields to a buffer that starts on the stack and moves to a pooled array when it outgrows it: a message
    /// costs one allocation, its final array. Integers are little-endian; a string is its UTF-8 length, 7 bits at a
    /// time, then its bytes (the length plus one for a string that may be null, 0 being null).
    /// </summary>
    private ref struct WireWriter(Span<byte> initial)
    {
        private Span<byte> _buffer = initial;
        private byte[]? _rented;
        private int _length;

        public void Bool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

        public void Int(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

        public void Long(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

        public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

        public void String(string value) => Text(value, lengthBias: 0);

        public void NullableString(string? value)
        {
            if (value is null)
                Count(0);
            else
                Text(value, lengthBias: 1);
        }

        public void Strings(ImmutableArray<string> values)
        {
            var items = values.IsDefault ? [] : values;
            Count(items.Length);
            foreach (var value in items)
                String(value);
        }

        public readonly byte[] ToArray() => _buffer[.._length].ToArray();

        public readonly void Dispose()
        {
            if (_rented is not null)
                ArrayPool<byte>.Shared.Return(_rented);
        }

        private void Text(string value, int lengthBias)
        {
            var bytes = Encoding.UTF8.GetByteCount(value);
            Count(bytes + lengthBias);
            Encoding.UTF8.GetBytes(value, Take(bytes));
        }

        /// <summary>A length or a number of items, 7 bits at a time.</summary>
        public void Count(int value)
        {
            var count = (uint)value;
            while (count >= 0x80)
            {
                Take(1)[0] = (byte)(count | 0x80);
                count >>= 7;
            }
            Take(1)[0] = (byte)count;
        }

        private Span<byte> Take(int size)
        {
            if (_length + size > _buffer.Length)
                Grow(_length + size);
            var span = _buffer.Slice(_length, size);
            _length += size;
            return span;
        }

        private void Grow(int needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer[.._length].CopyTo(larger);
            if (_rented is not null)
                ArrayPool<byte>.Shared.Return(_rented);
            _rented = larger;
            _buffer = larger;
        }
    }

    /// <summary>Reads what <see cref="WireWriter"/> wrote, in the same order.</summary>
    private ref struct WireReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        /// <summary>Nothing is left to read.</summary>
        public readonly bool AtEnd => _position == _bytes.Length;

        public bool Bool() => Take(1)[0] != 0;

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public string String() => Encoding.UTF8.GetString(Take(Length()));

        public string? NullableString() => Length() is var biased and > 0 ? Encoding.UTF8.GetString(Take(biased - 1)) : null;

        public ImmutableArray<string> Strings()
        {
            var count = Count();
            var items = ImmutableArray.CreateBuilder<string>(count);
            for (var i = 0; i < count; i++)
                items.Add(String());
            return items.MoveToImmutable();
        }

        /// <summary>
        /// A number of items: each takes at least a byte, so a count larger than what is left of the message is refused
        /// before anything that size is allocated.
        /// </summary>
        public int Count()
        {
            var count = Length();
            return count <= _bytes.Length - _position
                ? count
                : throw new ArgumentOutOfRangeException("message", $"{count} items cannot fit in what is left of the message");
        }

        private int Length()
        {
            uint value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var next = Take(1)[0];
                value |= (uint)(next & 0x7F) << shift;
                if (next < 0x80)
                    return value <= int.MaxValue ? (int)value : throw new ArgumentOutOfRangeException("message", "a length is out of range");
            }
            throw new ArgumentOutOfRangeException("message", "a length is out of range");
        }

        private ReadOnlySpan<byte> Take(int size)
        {
            if (size < 0 || _position + size > _bytes.Length)
                throw new ArgumentOutOfRangeException("message", $"the message ends before its field ({size} bytes at {_position} of {_bytes.Length})");
            var span = _bytes.Slice(_position, size);
            _position += size;
            return span;
        }
    }
}
