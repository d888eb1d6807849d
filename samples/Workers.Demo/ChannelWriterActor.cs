using System.Threading.Channels;
using Akka.Actor;

namespace Workers.Demo;

/// <summary>A subscriber that hands every event to the console loop through a channel.</summary>
internal sealed class ChannelWriterActor : ReceiveActor
{
    public ChannelWriterActor(ChannelWriter<object> writer) => ReceiveAny(message => writer.TryWrite(message));
}
