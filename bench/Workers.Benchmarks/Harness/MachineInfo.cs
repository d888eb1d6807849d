using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using Akka.Actor;

namespace Workers.Benchmarks.Harness;

/// <summary>The machine the figures come from, for the top of the report.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, string Memory, string Os, string Runtime, string Akka)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        ProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ProcField("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ')[0], out var kb)
            ? $"{kb / 1024.0 / 1024.0:0.0} GiB"
            : $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB available to .NET",
        OsName() + (File.Exists("/proc/sys/kernel/osrelease") ? $", kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}" : ""),
        $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC",
        typeof(ActorSystem).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?");

    private static string OsName()
    {
        const string prettyName = "PRETTY_NAME=";
        var line = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith(prettyName, StringComparison.Ordinal))
            : null;
        return line is null ? RuntimeInformation.OSDescription : line[prettyName.Length..].Trim('"');
    }

    /// <summary>The value of the first "key: value" line of a /proc file with this key, or null.</summary>
    private static string? ProcField(string path, string key)
    {
        if (!File.Exists(path))
            return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains(':'));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }
}
