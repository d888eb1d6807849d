namespace Workers.WorkerNode;

/// <summary>
/// The node's resident memory, reported after every job and heartbeat for the recycling limit. On Linux it is read
/// from /proc/self/statm: <see cref="Environment.WorkingSet"/> goes through Process by reflection and reads more of
/// /proc, which showed in the node's CPU profile of short jobs.
/// </summary>
internal static class NodeMemory
{
    private static readonly bool HasStatm = OperatingSystem.IsLinux() && File.Exists("/proc/self/statm");

    public static long WorkingSetBytes()
    {
        if (HasStatm && TryReadStatm(out var bytes))
            return bytes;
        return Environment.WorkingSet;
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
