namespace Workers.Actors.Tests.Protocol;

/// <summary>Sizes of what travels between a manager and a node, and batches that stay within a frame.</summary>
public sealed class WireLimitsSpecs
{
    [Fact]
    public void Should_keep_a_frames_overhead_from_its_payload_and_never_less_than_a_kilobyte()
    {
        Assert.Equal(16 * 1024 * 1024 - WireLimits.FrameOverhead, WireLimits.PayloadBytes(16 * 1024 * 1024));
        Assert.Equal(1024, WireLimits.PayloadBytes(WireLimits.FrameOverhead));
    }

    [Fact]
    public void Should_agree_on_the_smaller_frame_or_keep_its_own_when_the_peer_does_not_say()
    {
        Assert.Equal(262_144, WireLimits.Agreed(16_777_216, 262_144));
        Assert.Equal(262_144, WireLimits.Agreed(262_144, 16_777_216));
        Assert.Equal(262_144, WireLimits.Agreed(262_144, 0));
    }

    [Fact]
    public void Should_count_utf8_bytes_exactly_where_a_text_could_reach_the_limit_and_bound_them_below()
    {
        var text = new string('é', 100); // 200 bytes

        Assert.Equal(200, WireLimits.Utf8Bytes(text, limit: 400)); // 300 (3 per char) is not below 400 / 4: counted
        Assert.Equal(300, WireLimits.Utf8Bytes(text, limit: 10_000)); // far below: the bound will do
        Assert.Equal(0, WireLimits.Utf8Bytes(null, limit: 10));
    }

    [Fact]
    public void Should_end_a_batch_before_it_passes_the_bytes_or_the_count_but_never_leave_it_empty()
    {
        long[] sizes = [4, 4, 4, 20, 1, 1, 1, 1];
        Func<long, long, long> size = static (item, _) => item;

        Assert.Equal(2, WireLimits.BatchEnd(sizes, 0, maxBytes: 10, maxCount: 100, size)); // 4 + 4, a third would make 12
        Assert.Equal(3, WireLimits.BatchEnd(sizes, 2, maxBytes: 10, maxCount: 100, size)); // 4 alone: 20 would pass
        Assert.Equal(4, WireLimits.BatchEnd(sizes, 3, maxBytes: 10, maxCount: 100, size)); // 20 alone, though above
        Assert.Equal(6, WireLimits.BatchEnd(sizes, 4, maxBytes: 10, maxCount: 2, size)); // the count ends it
        Assert.Equal(8, WireLimits.BatchEnd(sizes, 4, maxBytes: 10, maxCount: 100, size)); // the list ends it
    }
}
