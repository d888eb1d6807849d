using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Workers.Dashboard.Tests.Support;

/// <summary>
/// The real dashboard (its Program, its manager, real worker-node processes) in the test process: on the test server,
/// or on Kestrel at 127.0.0.1 port 0 for a browser. Disposing it stops the host, and every node pid the tests saw
/// must then have exited.
/// </summary>
public class DashboardApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private static readonly TimeSpan Teardown = TimeSpan.FromSeconds(30);
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly bool _kestrel;
    private readonly ConcurrentDictionary<int, byte> _pids = new();

    public DashboardApp() : this(kestrel: false, new Dictionary<string, string>())
    {
    }

    protected DashboardApp(bool kestrel, IReadOnlyDictionary<string, string> settings)
    {
        _kestrel = kestrel;
        _settings = settings;
    }

    /// <summary>The address of the running server (Kestrel only).</summary>
    public Uri Url { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        if (_kestrel)
        {
            UseKestrel(0);
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            Url = new Uri(addresses.First());
            Client = new HttpClient { BaseAddress = Url };
        }
        else
        {
            Client = CreateClient();
        }
        return Task.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Workers:Store", "memory"); // each test starts with an empty job table
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    /// <summary>Remembers the node processes the dashboard runs now, so that the teardown can prove they are gone.</summary>
    public async Task TrackNodesAsync()
    {
        var workers = await Client.GetFromJsonAsync<JsonElement>("/api/workers", Json);
        foreach (var worker in workers.EnumerateArray())
            if (worker.GetProperty("pid").ValueKind == JsonValueKind.Number)
                _pids.TryAdd(worker.GetProperty("pid").GetInt32(), 0);
    }

    public void TrackNode(int pid) => _pids.TryAdd(pid, 0);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await TrackNodesAsync();
        Client.Dispose();
        await DisposeAsync(); // stops the host: the manager stops every node
        await AssertNodesExitedAsync();
    }

    private async Task AssertNodesExitedAsync()
    {
        using var deadline = new CancellationTokenSource(Teardown);
        var alive = new List<int>();
        foreach (var pid in _pids.Keys)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (ArgumentException)
            {
                // already gone
            }
            catch (OperationCanceledException)
            {
                alive.Add(pid);
                try
                {
                    Process.GetProcessById(pid).Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                }
            }
        }
        Assert.True(alive.Count == 0, $"Worker-node processes still running after the dashboard stopped: {string.Join(", ", alive)}");
    }
}

/// <summary>A dashboard with one worker, a queue of one, and a slot that gives up at its first crash.</summary>
public sealed class SmallDashboardApp() : DashboardApp(kestrel: false, new Dictionary<string, string>
{
    ["Workers:MaxWorkers"] = "1",
    ["Workers:RequestQueueSize"] = "1",
    ["Workers:MaxRestartAttempts"] = "0",
});

/// <summary>The dashboard on Kestrel (127.0.0.1, port 0), for a real browser.</summary>
public sealed class KestrelDashboardApp() : DashboardApp(kestrel: true, new Dictionary<string, string>());
