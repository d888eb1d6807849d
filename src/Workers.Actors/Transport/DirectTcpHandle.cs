using System.Buffers.Binary;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace Workers.Actors;

/// <summary>
/// One link of <see cref="DirectTcpTransport"/>: frames of a 4-byte big-endian length and the payload. The socket is
/// non-blocking: <see cref="Write"/> sends on the caller's thread what the socket takes at once and leaves the rest to
/// a pool task, and the link's reader thread waits for data in <see cref="Socket.Poll(int, SelectMode)"/>.
/// </summary>
internal sealed class DirectTcpHandle : AssociationHandle
{
    private const int HeaderBytes = sizeof(int);
    private const int ReadBufferBytes = 64 * 1024;
    private const int KeptFrameBytes = 64 * 1024; // a larger frame gets an array of its own, not kept for the link's life
    private static readonly TimeSpan ListenerTimeout = TimeSpan.FromMinutes(1);

    private readonly DirectTcpTransport _transport;
    private readonly Socket _socket;
    private readonly object _gate = new();
    private readonly Queue<byte[]> _backlog = new(); // frames (or the rest of one) the socket has not taken yet, in order
    private long _backlogBytes;
    private byte[] _frame = new byte[4096]; // reused for frames up to KeptFrameBytes
    private bool _closed;

    public DirectTcpHandle(DirectTcpTransport transport, Address localAddress, Address remoteAddress, Socket socket)
        : base(localAddress, remoteAddress)
    {
        _transport = transport;
        _socket = socket;
        socket.NoDelay = true;
        socket.SendBufferSize = transport.BufferBytes;
        socket.ReceiveBufferSize = transport.BufferBytes;
        socket.Blocking = false;
        transport.Opened(this);
        new Thread(ReadLoop) { IsBackground = true, Name = $"workers-direct-read {remoteAddress.Host}:{remoteAddress.Port}" }.Start();
    }

    public override bool Write(ByteString payload)
    {
        var length = HeaderBytes + payload.Length;
        lock (_gate)
        {
            if (_closed)
                return false;
            if (_backlog.Count > 0)
            {
                if (_backlogBytes + length > _transport.BacklogLimitBytes)
                    return false; // busy: Akka.Remote's endpoint writer keeps the message and tries again
                _backlog.Enqueue(Frame(payload, new byte[length]));
                _backlogBytes += length;
                return true;
            }

            if (_frame.Length < length && length <= KeptFrameBytes)
                _frame = new byte[Math.Min(KeptFrameBytes, Math.Max(length, _frame.Length * 2))];
            var frame = Frame(payload, length <= _frame.Length ? _frame : new byte[length]);
            var sent = 0;
            while (sent < length)
            {
                var count = _socket.Send(frame, sent, length - sent, SocketFlags.None, out var error);
                if (error == SocketError.Success)
                    sent += count;
                else if (error == SocketError.WouldBlock)
                    break;
                else
                {
                    CloseLocked();
                    return false;
                }
            }
            if (sent < length)
            {
                _backlog.Enqueue(sent == 0 && frame != _frame ? frame : frame.AsSpan(sent, length - sent).ToArray());
                _backlogBytes += length - sent;
                _ = Task.Run(DrainAsync);
            }
            return true;
        }
    }

    private static byte[] Frame(ByteString payload, byte[] into)
    {
        BinaryPrimitives.WriteInt32BigEndian(into, payload.Length);
        payload.Span.CopyTo(into.AsSpan(HeaderBytes));
        return into;
    }

    /// <summary>Sends the backlog in order until it is empty; <see cref="Write"/> adds to it meanwhile.</summary>
    private async Task DrainAsync()
    {
        while (true)
        {
            byte[] next;
            lock (_gate)
            {
                if (_closed || !_backlog.TryPeek(out next!))
                    return;
            }
            try
            {
                for (var sent = 0; sent < next.Length;)
                    sent += await _socket.SendAsync(next.AsMemory(sent), SocketFlags.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Whatever it was, the link cannot go on with a frame half sent: Akka.Remote hears it is gone.
                if (e is not (SocketException or ObjectDisposedException))
                    _transport.Log.Error(e, "Closing the link to [{0}]: sending failed", RemoteAddress);
                Close();
                return;
            }
            lock (_gate)
            {
                _backlog.Dequeue();
                _backlogBytes -= next.Length;
            }
        }
    }

    private void ReadLoop()
    {
        // Akka.Remote registers the link's listener as soon as it takes the link; one that never does has dropped it.
        var registered = ReadHandlerSource.Task;
        if (!((IAsyncResult)registered).AsyncWaitHandle.WaitOne(ListenerTimeout) || !registered.IsCompletedSuccessfully)
        {
            Close();
            return;
        }
        var listener = registered.Result;

        var buffer = new byte[ReadBufferBytes];
        int start = 0, end = 0;
        var maxFrame = _transport.MaximumPayloadBytes;
        try
        {
            while (true)
            {
                // Hand over every whole frame in the buffer.
                while (end - start >= HeaderBytes)
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));
                    if (length < 0 || length > maxFrame)
                    {
                        _transport.Log.Warning("Closing the link from [{0}]: a frame of [{1}] bytes, more than maximum-frame-size ([{2}])",
                            RemoteAddress, length, maxFrame);
                        return;
                    }
                    if (end - start - HeaderBytes < length)
                    {
                        if (HeaderBytes + length > buffer.Length)
                        {
                            var larger = new byte[Math.Max(HeaderBytes + length, buffer.Length * 2)];
                            buffer.AsSpan(start, end - start).CopyTo(larger);
                            (buffer, end, start) = (larger, end - start, 0);
                        }
                        break;
                    }
                    var payload = ByteString.CopyFrom(buffer, start + HeaderBytes, length);
                    start += HeaderBytes + length;
                    listener.Notify(new InboundPayload(payload));
                }
                if (start == end)
                {
                    start = end = 0;
                    if (buffer.Length > ReadBufferBytes)
                        buffer = new byte[ReadBufferBytes]; // a large frame's buffer is not kept for the link's life
                }
                else if (buffer.Length - end < ReadBufferBytes / 4 && start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    (end, start) = (end - start, 0);
                }

                var count = _socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    _socket.Poll(-1, SelectMode.SelectRead);
                    continue;
                }
                if (error != SocketError.Success || count == 0)
                    return; // closed by the peer, or by Close on this side
                end += count;
            }
        }
        catch (Exception e)
        {
            // Closed under the reader (SocketException, ObjectDisposedException) is the same as end of stream. Anything
            // else ends this link only: an exception out of this thread would end the process.
            if (e is not (SocketException or ObjectDisposedException))
                _transport.Log.Error(e, "Closing the link from [{0}]: reading failed", RemoteAddress);
        }
        finally
        {
            Close();
            listener.Notify(new Disassociated(DisassociateInfo.Unknown));
        }
    }

#pragma warning disable CS0672 // Akka.Remote still calls this overload
    public override void Disassociate() => Close();
#pragma warning restore CS0672

    /// <summary>Closes the socket; the reader thread then ends and tells Akka.Remote the link is gone.</summary>
    internal void Close()
    {
        lock (_gate)
            CloseLocked();
    }

    private void CloseLocked()
    {
        if (_closed)
            return;
        _closed = true;
        _backlog.Clear();
        _backlogBytes = 0;
        _transport.Closed(this);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }
}
