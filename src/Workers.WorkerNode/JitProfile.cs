using System.Diagnostics;
using System.Runtime;

namespace Workers.WorkerNode;

/// <summary>
/// Background JIT compilation of a node's start from a profile of earlier starts (the runtime's multicore JIT,
/// <see cref="ProfileOptimization"/>). ReadyToRun leaves about 450 methods for the JIT on a node's way to listening,
/// mostly generic instantiations of framework collections over Akka and DotNetty types that no image outside the
/// framework's own can hold; with a profile, a second core compiles them while the first starts remoting.
/// </summary>
/// <remarks>
/// <para>
/// A node records from its start (<see cref="Begin"/>) until remoting listens (<see cref="Save"/>), and must list its
/// plugins only after that: the runtime's player gives up at the first assembly it cannot load itself, and a plugin
/// assembly, loaded into a load context of its own, is one. Recorded side by side with the start of remoting, a
/// plugin's assembly would stop the playback at a different place in every profile. What comes after (registering, the
/// first job) gains nothing measurable from a profile: it starts right away, with no head start for the player.
/// </para>
/// <para>
/// The profiles live in a directory shared by the nodes of one user (<c>--jit-profile</c>, else the environment
/// variable <c>WORKERS_NODE_JIT_PROFILE</c>, else a <c>workers-node-jit-&lt;user&gt;</c> folder in the temporary
/// directory; <c>off</c> turns them off), one file per set of plugin assemblies and transport. Each node plays back a
/// copy of its own and records into it; once written, it renames its recording over the shared file. Nodes starting
/// side by side thus never write one file at once, and a reader never sees half a file.
/// </para>
/// <para>
/// A profile is only ever a hint: the runtime skips what no longer matches the assemblies loaded (a new build, other
/// plugins), and a missing, unreadable or unwritable directory only means a start without one.
/// </para>
/// </remarks>
internal static class JitProfile
{
    private const string Off = "off";
    private const string Extension = ".jitprofile";

    /// <summary>A profile no node has written for this long belongs to plugins or a build no longer started here.</summary>
    internal static readonly TimeSpan Unused = TimeSpan.FromDays(30);
    private static string? _directory;
    private static string? _recording; // the file this process records into now
    private static string? _shared; // the file that recording replaces once written

    /// <summary>The directory to use: the option, else the environment variable, else the default; null when off.</summary>
    public static string? Directory(string? option)
    {
        var chosen = option ?? Environment.GetEnvironmentVariable("WORKERS_NODE_JIT_PROFILE");
        if (string.Equals(chosen, Off, StringComparison.OrdinalIgnoreCase))
            return null;
        return string.IsNullOrEmpty(chosen) ? Path.Combine(Path.GetTempPath(), $"workers-node-jit-{Environment.UserName}") : chosen;
    }

    /// <summary>Plays back the profile (if there is one) and records a new one. Does nothing when <paramref name="directory"/> is null.</summary>
    /// <param name="directory">where the profiles are kept</param>
    /// <param name="pluginAssemblies">the node's plugins: each set has a profile of its own</param>
    /// <param name="transport">
    /// the node's Akka.Remote transport (<c>direct</c> or <c>dotnetty</c>): each has a profile of its own too, since
    /// playing back the other's would load and compile a transport the node never uses
    /// </param>
    public static void Begin(string? directory, IEnumerable<string> pluginAssemblies, string transport)
    {
        if (directory is null)
            return;
        try
        {
            directory = Path.GetFullPath(directory);
            System.IO.Directory.CreateDirectory(directory);
            var name = $"node-{transport}-{Key(pluginAssemblies):x16}";
            var shared = Path.Combine(directory, name + Extension);
            var recording = $"{name}.{Environment.ProcessId}.recording";
            if (File.Exists(shared))
                File.Copy(shared, Path.Combine(directory, recording), overwrite: true);
            ProfileOptimization.SetProfileRoot(directory);
            ProfileOptimization.StartProfile(recording);
            (_directory, _recording, _shared) = (directory, Path.Combine(directory, recording), shared);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // No profile this time; the node starts as it would without one.
        }
    }

    /// <summary>Whether a recording is under way (<see cref="Begin"/> succeeded and <see cref="Save"/> has not run).</summary>
    public static bool Recording => _recording is not null;

    /// <summary>
    /// Stops recording, writes the recording and makes it the shared profile; then deletes abandoned recordings and
    /// unused profiles.
    /// Once, after <see cref="Begin"/>, and best on a thread of its own: writing takes a few milliseconds.
    /// </summary>
    public static void Save()
    {
        if (_recording is not { } recording || _shared is not { } shared)
            return;
        _recording = _shared = null;
        try
        {
            ProfileOptimization.StartProfile(null); // stops recording and writes the file
            if (File.Exists(recording))
                File.Move(recording, shared, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(recording);
        }
        DeleteStale(_directory!);
    }

    /// <summary>
    /// Recordings of nodes that ended before writing them (killed while starting): their process is gone. And profiles
    /// not written for <see cref="Unused"/>: every start rewrites its own, so these are of plugin sets (or copies of an
    /// application in other folders) no longer started.
    /// </summary>
    internal static void DeleteStale(string directory)
    {
        try
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(directory, "node-*.recording"))
            {
                var pid = Path.GetExtension(Path.GetFileNameWithoutExtension(file)).TrimStart('.');
                if (int.TryParse(pid, out var id) && !IsRunning(id))
                    TryDelete(file);
            }
            foreach (var file in System.IO.Directory.EnumerateFiles(directory, "node-*" + Extension))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > Unused)
                    TryDelete(file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A stable key for a set of plugin assemblies (FNV-1a over their full paths; string hashes vary by process).</summary>
    internal static ulong Key(IEnumerable<string> pluginAssemblies)
    {
        var hash = 14695981039346656037UL;
        foreach (var path in pluginAssemblies.Select(Path.GetFullPath).Order(StringComparer.Ordinal))
        {
            foreach (var c in path)
                hash = (hash ^ c) * 1099511628211UL;
            hash = (hash ^ '\n') * 1099511628211UL;
        }
        return hash;
    }
}
