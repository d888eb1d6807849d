using System.Diagnostics;

namespace Workers.WorkerNode;

/// <summary>
/// The node's resident memory, reported after jobs and with every heartbeat for the recycling limit. On Linux it is
/// read from /proc/self/statm: <see cref="Environment.WorkingSet"/> goes through Process by reflection and reads more of
/// /proc, which showed in the node's CPU profile of short jobs.
/// </summary>
internal static class NodeMemory
{
    /// <summary>
    /// How old the figure sent with a job's outcome may be. Reading it is a file open, read and close: after every
    /// one of thousands of short jobs a second, that was a good part of the node's CPU per job. A job that runs longer
    /// than this always reports its memory fresh; of short jobs in quick succession, a later one (or the next
    /// heartbeat) reports what an earlier one grew by.
    /// </summary>
    private static readonly long OutcomeStaleness = Stopwatch.Frequency / 50; // 20 ms

    private static readonly bool HasStatm = OperatingSystem.IsLinux() && File.Exists("/proc/self/statm");

    // Written by whichever thread read last (the job loop or the actor's heartbeat); a racing reader may see one
    // figure newer than the other, which only means one read more or less.
    private static long _lastBytes;
    private static long _lastReadAt;

    /// <summary>The memory now (for heartbeats).</summary>
    public static long WorkingSetBytes()
    {
        var bytes = HasStatm && TryReadStatm(out var statm) ? statm : Environment.WorkingSet;
        Volatile.Write(ref _lastBytes, bytes);
        Volatile.Write(ref _lastReadAt, Stopwatch.GetTimestamp());
        return bytes;
    }

    /// <summary>The memory, read at most <see cref="OutcomeStaleness"/> ago (for job outcomes).</summary>
    public static long RecentWorkingSetBytes()
    {
        var lastReadAt = Volatile.Read(ref _lastReadAt);
        return lastReadAt != 0 && Stopwatch.GetTimestamp() - lastReadAt < OutcomeStaleness
            ? Volatile.Read(ref _lastBytes)
            : WorkingSetBytes();
    }

    // statm: "size resident shared text lib data dt", in pages.
    private static bool TryReadStatm(out long bytes)
    {
        bytes = 0;
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ', 3);
            if (fields.Length < 2 || !long.TryParse(fields[1], out var pages))
                return false;
            bytes = pages * Environment.SystemPageSize;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
