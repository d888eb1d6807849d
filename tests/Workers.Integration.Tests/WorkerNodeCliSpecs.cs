using System.Diagnostics;
using Akka.Actor;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>
/// The worker node executable as an operator starts it: each way of failing to start is one line on stderr and a
/// distinct exit code, and a node started with --watch-stdin exits when its stdin closes.
/// </summary>
public class WorkerNodeCliSpecs(ITestOutputHelper output) : WorkersSpec("worker-node-cli-specs", output)
{
    private const int BadArguments = 2;
    private const int ManagerUnreachable = 3;
    private const int PluginLoadFailed = 4;
    private const int RegistrationRefused = 5;
    private const int ManagerLost = 6;

    // Port 1 (tcpmux) is not listening: connections to it are refused at once.
    private const string UnreachableManager = "akka.tcp://nobody@127.0.0.1:1/user/x";

    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(30);

    private static readonly string Executable =
        Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Workers.WorkerNode.exe" : "Workers.WorkerNode");

    private static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "Workers.Plugins.Samples.dll");

    [Fact]
    public async Task Should_exit_with_code_2_and_say_why_on_bad_arguments()
    {
        var unknown = await RunAsync("--bogus");
        Assert.Equal(BadArguments, unknown.ExitCode);
        Assert.Contains("Unknown argument \"--bogus\"", unknown.Stderr);
        Assert.Contains("Usage:", unknown.Stderr);

        var none = await RunAsync();
        Assert.Equal(BadArguments, none.ExitCode);
        Assert.Contains("--manager is required", none.Stderr);

        var noPlugins = await RunAsync("--manager", UnreachableManager, "--worker-id", "worker-1");
        Assert.Equal(BadArguments, noPlugins.ExitCode);
        Assert.Contains("--plugins", noPlugins.Stderr);

        var badPort = await RunAsync("--manager", UnreachableManager, "--worker-id", "worker-1", "--plugins", Samples, "--port", "http");
        Assert.Equal(BadArguments, badPort.ExitCode);
        Assert.Contains("--port", badPort.Stderr);

        var tokenFile = Path.Combine(Path.GetTempPath(), $"no-such-token-{Guid.NewGuid():N}");
        var noToken = await RunAsync("--manager", UnreachableManager, "--worker-id", "worker-1", "--plugins", Samples, "--token-file", tokenFile);
        Assert.Equal(BadArguments, noToken.ExitCode);
        Assert.Contains(tokenFile, noToken.Stderr);
    }

    [Fact]
    public async Task Should_exit_with_code_4_naming_the_path_of_a_missing_plugin_assembly()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-plugins-{Guid.NewGuid():N}.dll");

        var run = await RunAsync("--manager", UnreachableManager, "--worker-id", "worker-1", "--plugins", missing);

        Assert.Equal(PluginLoadFailed, run.ExitCode);
        Assert.Contains(missing, run.Stderr);
    }

    [Fact]
    public async Task Should_exit_with_code_4_naming_the_path_of_a_plugin_file_that_is_not_an_assembly()
    {
        var notAnAssembly = Path.Combine(Path.GetTempPath(), $"not-an-assembly-{Guid.NewGuid():N}.dll");
        await File.WriteAllTextAsync(notAnAssembly, "this is text, not IL");
        try
        {
            var run = await RunAsync("--manager", UnreachableManager, "--worker-id", "worker-1", "--plugins", notAnAssembly);

            Assert.Equal(PluginLoadFailed, run.ExitCode);
            Assert.Contains(notAnAssembly, run.Stderr);
        }
        finally
        {
            File.Delete(notAnAssembly);
        }
    }

    [Fact]
    public async Task Should_exit_with_code_5_when_the_manager_refuses_the_registration()
    {
        // A real manager, none of whose slots is starting: a node that turns up uninvited is refused.
        var manager = await StartManagerAsync(Options());
        var managerPath = manager.Path.ToStringWithAddress(((ExtendedActorSystem)Sys).Provider.DefaultAddress);

        var run = await RunAsync("--manager", managerPath, "--worker-id", "worker-1", "--plugins", Samples);

        Assert.Equal(RegistrationRefused, run.ExitCode);
        Assert.Contains("refused", run.Stderr);
        Assert.Contains("worker-1", run.Stderr);
    }

    [Fact]
    public async Task Should_exit_with_code_3_when_the_manager_does_not_answer()
    {
        var run = await RunAsync(
            "--manager", UnreachableManager, "--worker-id", "worker-1", "--plugins", Samples, "--register-timeout", "2");

        Assert.Equal(ManagerUnreachable, run.ExitCode);
        Assert.Contains(UnreachableManager, run.Stderr);
        Assert.Contains("did not answer within 2 s", run.Stderr);
    }

    [Fact]
    public async Task Should_exit_when_stdin_closes_with_watch_stdin()
    {
        // A "manager" that hears the node's registrations and never answers them, and a long registration timeout:
        // the node is up and waiting, and only its closed stdin can end it.
        var manager = CreateTestProbe("silent-manager");
        var managerPath = manager.Ref.Path.ToStringWithAddress(((ExtendedActorSystem)Sys).Provider.DefaultAddress);
        using var node = Start(
            "--manager", managerPath, "--worker-id", "worker-1", "--plugins", Samples, "--register-timeout", "600", "--watch-stdin");
        var stderr = node.StandardError.ReadToEndAsync();
        var stdout = node.StandardOutput.ReadToEndAsync();
        var registration = await manager.ExpectMsgAsync<RegisterWorker>(ExitWithin);
        Assert.Equal(node.Id, registration.Pid);
        Assert.Equal("worker-1", registration.WorkerId);

        node.StandardInput.Close();
        await WaitForExitAsync(node);

        Output?.WriteLine(await stdout);
        Assert.Equal(ManagerLost, node.ExitCode);
        Assert.Contains("closed stdin", await stderr);
    }

    [MultiCoreFact]
    public async Task Should_keep_a_profile_of_its_start_and_start_again_from_it()
    {
        var folder = Directory.CreateTempSubdirectory("workers-jit-profile-");
        try
        {
            var manager = CreateTestProbe("silent-manager");
            var managerPath = manager.Ref.Path.ToStringWithAddress(((ExtendedActorSystem)Sys).Provider.DefaultAddress);
            string[] arguments =
                ["--manager", managerPath, "--worker-id", "worker-1", "--plugins", Samples, "--register-timeout", "600", "--watch-stdin",
                 "--jit-profile", folder.FullName];

            // The first start records its profile once remoting listens, then registers.
            using (var first = Start(arguments))
            {
                Assert.Equal(first.Id, (await manager.ExpectMsgAsync<RegisterWorker>(ExitWithin)).Pid);
                await AwaitAssertAsync(() =>
                {
                    var profile = Assert.Single(folder.GetFiles("node-*.jitprofile"));
                    Assert.True(profile.Length > 1024, $"{profile.Name} holds {profile.Length} bytes");
                    Assert.Empty(folder.GetFiles("*.recording"));
                }, ExitWithin);
                first.StandardInput.Close();
                await WaitForExitAsync(first);
            }
            var recorded = Assert.Single(folder.GetFiles("node-*.jitprofile"));
            var recordedAt = recorded.LastWriteTimeUtc;

            // The next start plays it back (from a copy of its own), registers as before, and leaves one profile.
            using var second = Start(arguments);
            // The first node repeated its registration to the silent manager until it exited (every 0.5 s, 1 s, ...).
            await manager.FishForMessageAsync<RegisterWorker>(register => register.Pid == second.Id, ExitWithin);
            await AwaitAssertAsync(() =>
            {
                var profile = Assert.Single(folder.GetFiles("node-*.jitprofile"));
                Assert.Equal(recorded.Name, profile.Name);
                Assert.NotEqual(recordedAt, profile.LastWriteTimeUtc);
                Assert.Empty(folder.GetFiles("*.recording"));
            }, ExitWithin);
            second.StandardInput.Close();
            await WaitForExitAsync(second);
            Assert.Equal(ManagerLost, second.ExitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private async Task<(int ExitCode, string Stderr)> RunAsync(params string[] arguments)
    {
        using var node = Start(arguments);
        var stderr = node.StandardError.ReadToEndAsync();
        var stdout = node.StandardOutput.ReadToEndAsync();
        await WaitForExitAsync(node);
        var (error, text) = (await stderr, await stdout);
        Output?.WriteLine($"$ Workers.WorkerNode {string.Join(' ', arguments)}{Environment.NewLine}exit {node.ExitCode}{Environment.NewLine}{error}{text}");
        return (node.ExitCode, error);
    }

    private Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true, // kept open: only --watch-stdin looks at it
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start");
        Nodes.Add(process.Id, $"Workers.WorkerNode {string.Join(' ', arguments)}");
        return process;
    }

    private static async Task WaitForExitAsync(Process node)
    {
        using var deadline = new CancellationTokenSource(ExitWithin);
        try
        {
            await node.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"The worker node did not exit within {ExitWithin}.");
        }
    }
}
