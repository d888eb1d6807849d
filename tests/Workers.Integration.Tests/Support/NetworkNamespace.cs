using System.Diagnostics;
using System.Security.Cryptography;
using Workers.Actors.Launching;

namespace Workers.Integration.Tests.Support;

/// <summary>
/// A second "host" on this machine: a Linux network namespace joined to the root namespace by a veth pair, each end
/// with an address of a random /30 in 10.250.0.0/16. A process started with <see cref="ExecPrefix"/> sees only its end,
/// so it reaches the manager over a real link that the test can cut. Disposing kills whatever still runs in the
/// namespace and deletes it and the veth pair, also after a failed test.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private const string Ip = "ip";

    private NetworkNamespace(string name, string hostInterface, string hostAddress, string nodeAddress)
    {
        Name = name;
        HostInterface = hostInterface;
        HostAddress = hostAddress;
        NodeAddress = nodeAddress;
    }

    public string Name { get; }
    public string HostInterface { get; }

    /// <summary>The root namespace's end of the link: the manager listens here.</summary>
    public string HostAddress { get; }

    /// <summary>The namespace's end of the link: the node listens here.</summary>
    public string NodeAddress { get; }

    public IReadOnlyList<string> ExecPrefix => [Ip, "netns", "exec", Name];

    /// <summary>Null where namespaces can be made (root, with iproute2); else why not, for a skipped test to say.</summary>
    public static string? MissingReason { get; } = Probe();

    public static NetworkNamespace Create()
    {
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        var block = RandomNumberGenerator.GetInt32(0, 256 * 64) * 4; // a /30 inside 10.250.0.0/16
        var (third, fourth) = (block / 256, block % 256);
        var network = new NetworkNamespace($"workers-{id}", $"wkh{id}", $"10.250.{third}.{fourth + 1}", $"10.250.{third}.{fourth + 2}");
        var nodeInterface = $"wkn{id}";
        try
        {
            Run("netns", "add", network.Name);
            Run("link", "add", network.HostInterface, "type", "veth", "peer", "name", nodeInterface);
            Run("link", "set", nodeInterface, "netns", network.Name);
            Run("addr", "add", $"{network.HostAddress}/30", "dev", network.HostInterface);
            Run("link", "set", network.HostInterface, "up");
            Run("netns", "exec", network.Name, Ip, "addr", "add", $"{network.NodeAddress}/30", "dev", nodeInterface);
            Run("netns", "exec", network.Name, Ip, "link", "set", nodeInterface, "up");
            Run("netns", "exec", network.Name, Ip, "link", "set", "lo", "up");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Takes the link down: packets stop both ways, and no connection is closed (no FIN, no RST).</summary>
    public void CutLink() => Run("link", "set", HostInterface, "down");

    public void Dispose()
    {
        if (TryRun(out var pids, "netns", "pids", Name))
        {
            foreach (var line in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(line, out var pid))
                    ProcessTree.KillQuietly(pid);
            }
        }
        TryRun(out _, "netns", "delete", Name); // takes the namespace's end of the veth, and so the pair, with it
        TryRun(out _, "link", "delete", HostInterface); // in case the pair outlived it
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
            return "network namespaces need Linux.";
        if (Environment.UserName != "root" && !IsRootUid())
            return "creating network namespaces needs root (CI runs as root).";
        var probe = $"workers-probe-{Environment.ProcessId}";
        try
        {
            if (!TryRun(out var error, "netns", "add", probe))
                return $"\"ip netns add\" failed: {error.Trim()}";
            TryRun(out _, "netns", "delete", probe);
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"the \"ip\" command (iproute2) is not available: {e.Message}.";
        }
    }

    private static bool IsRootUid() =>
        File.Exists("/proc/self/status")
        && File.ReadLines("/proc/self/status").FirstOrDefault(line => line.StartsWith("Uid:", StringComparison.Ordinal)) is { } uid
        && uid.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";

    private static void Run(params string[] arguments)
    {
        if (!TryRun(out var error, arguments))
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed: {error.Trim()}");
    }

    /// <summary>Runs ip; on success <paramref name="output"/> is its stdout, on failure its stderr.</summary>
    private static bool TryRun(out string output, params string[] arguments)
    {
        var start = new ProcessStartInfo(Ip) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            output = "timed out";
            return false;
        }
        output = process.ExitCode == 0 ? stdout.Result : stderr;
        return process.ExitCode == 0;
    }
}

/// <summary>A test that needs network namespaces: skipped, saying why, where they cannot be made.</summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (NetworkNamespace.MissingReason is { } reason)
            Skip = reason;
    }
}
