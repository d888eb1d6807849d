using System.Diagnostics;
using Workers.WorkerNode;

namespace Workers.Actors.Tests.WorkerNode;

/// <summary>
/// Where a node keeps the profile of its start, which file it uses for a set of plugins, and which stale recordings and
/// unused profiles it cleans up. That a node writes and uses a profile is in the integration specs (WorkerNodeCliSpecs), with real nodes.
/// </summary>
public sealed class JitProfileSpecs : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("workers-jit-profile-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Should_take_the_directory_given_and_none_for_off()
    {
        Assert.Equal("/var/cache/workers", JitProfile.Directory("/var/cache/workers"));
        Assert.Null(JitProfile.Directory("off"));
        Assert.Null(JitProfile.Directory("OFF"));
    }

    [Fact]
    public void Should_key_a_set_of_plugins_by_its_assemblies_not_their_order()
    {
        var key = JitProfile.Key(["/app/plugins/a.dll", "/app/plugins/b.dll"]);

        Assert.Equal(key, JitProfile.Key(["/app/plugins/b.dll", "/app/plugins/a.dll"]));
        Assert.Equal(key, JitProfile.Key(["/app/plugins/./a.dll", "/app/plugins/b.dll"]));
        Assert.NotEqual(key, JitProfile.Key(["/app/plugins/a.dll"]));
        Assert.NotEqual(key, JitProfile.Key(["/app/plugins/a.dll", "/app/plugins/c.dll"]));
    }

    [Fact]
    public void Should_delete_the_recordings_of_processes_that_are_gone_and_keep_the_rest()
    {
        // A process that has come and gone: `dotnet --version`, with the host that runs the tests.
        using var gone = Process.Start(new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", "--version")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        })!;
        gone.StandardOutput.ReadToEnd();
        gone.WaitForExit();
        var abandoned = Touch($"node-0123456789abcdef.{gone.Id}.recording");
        var running = Touch($"node-0123456789abcdef.{Environment.ProcessId}.recording");
        var profile = Touch("node-0123456789abcdef.jitprofile");

        JitProfile.DeleteStale(_folder.FullName);

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(running));
        Assert.True(File.Exists(profile));
    }

    [Fact]
    public void Should_delete_profiles_no_node_has_written_for_a_month()
    {
        var unused = Touch("node-00000000000000aa.jitprofile");
        File.SetLastWriteTimeUtc(unused, DateTime.UtcNow - JitProfile.Unused - TimeSpan.FromDays(1));
        var recent = Touch("node-00000000000000bb.jitprofile");
        File.SetLastWriteTimeUtc(recent, DateTime.UtcNow - JitProfile.Unused + TimeSpan.FromDays(1));

        JitProfile.DeleteStale(_folder.FullName);

        Assert.False(File.Exists(unused));
        Assert.True(File.Exists(recent));
    }

    private string Touch(string name)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }
}
