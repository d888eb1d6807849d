using System.Diagnostics;
using Workers.Dashboard.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Dashboard.Tests;

/// <summary>
/// The page in Debian's Chromium, driven by playwright-core (browser/dashboard.mjs), against the dashboard on Kestrel.
/// Screenshots go to TestResults/screenshots beside the test binaries.
/// </summary>
public sealed class BrowserSpecs(KestrelDashboardApp app, ITestOutputHelper output) : IClassFixture<KestrelDashboardApp>
{
    [BrowserFact]
    public Task Should_start_a_job_from_the_form_and_see_it_complete() => RunAsync("complete");

    [BrowserFact]
    public Task Should_show_streamed_tokens_as_they_arrive() => RunAsync("stream");

    [BrowserFact]
    public Task Should_cancel_a_busy_job() => RunAsync("cancel");

    [BrowserFact]
    public Task Should_show_a_crashed_worker_come_back() => RunAsync("crash");

    private async Task RunAsync(string scenario)
    {
        var screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        var start = new ProcessStartInfo("node", [Path.Combine(BrowserEnvironment.ScriptFolder, "dashboard.mjs"), scenario, app.Url.ToString(), screenshots])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BrowserEnvironment.ScriptFolder,
        };
        start.Environment["CHROMIUM_PATH"] = BrowserEnvironment.Chromium;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await node.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            output.WriteLine(await stdout);
            output.WriteLine(await stderr);
            await app.TrackNodesAsync();
        }
        Assert.True(node.ExitCode == 0, $"Browser scenario \"{scenario}\" failed: {await stderr}");
        Assert.True(File.Exists(Path.Combine(screenshots, $"{scenario}.png")), "no screenshot");
    }
}

/// <summary>A browser test: skipped, saying what is missing, where Chromium or the script's node_modules are not installed.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (BrowserEnvironment.MissingReason is { } reason)
            Skip = reason;
    }
}

internal static class BrowserEnvironment
{
    public static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    /// <summary>tests/Workers.Dashboard.Tests/browser, found from the test binaries upwards.</summary>
    public static string ScriptFolder { get; } = FindScriptFolder();

    public static string? MissingReason =>
        !File.Exists(Chromium) ? $"Chromium is not installed at {Chromium} (apt-get install -y chromium)."
        : !Directory.Exists(Path.Combine(ScriptFolder, "node_modules", "playwright-core")) ? $"playwright-core is not installed (npm ci in {ScriptFolder})."
        : FindOnPath("node") is null ? "Node.js is not on the PATH."
        : null;

    private static string FindScriptFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Workers.Dashboard.Tests", "browser");
            if (Directory.Exists(candidate))
                return candidate;
        }
        return Path.Combine(AppContext.BaseDirectory, "browser");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
