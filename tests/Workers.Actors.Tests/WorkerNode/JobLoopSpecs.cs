using System.Collections.Immutable;
using System.Text.Json;
using Akka.TestKit.Xunit2;
using Workers.Actors.Plugins;
using Workers.WorkerNode;
using Xunit.Abstractions;
using static Workers.WorkerNode.JobLoop;

namespace Workers.Actors.Tests.WorkerNode;

/// <summary>
/// The warm-up of a node's job loop: it runs only while the loop holds nothing and no job has run, once, and what is
/// added meanwhile runs after it, none of it lost.
/// </summary>
public sealed class JobLoopSpecs(ITestOutputHelper output) : TestKit(output: output), IAsyncLifetime
{
    private static readonly ImmutableArray<PluginDescriptor> Catalog =
        PluginDiscovery.Discover([Path.Combine(AppContext.BaseDirectory, "Workers.Plugins.Samples.dll")]);

    private readonly PluginHost _plugins = new(Catalog);
    private readonly CancellationTokenSource _stopping = new();

    [Fact]
    public async Task Should_warm_up_an_idle_loop_once_and_run_a_job_added_meanwhile_after_it()
    {
        var proxy = CreateTestProbe("proxy");
        var loop = NewLoop(proxy);

        Assert.Equal(WarmUpStart.Started, loop.TryWarmUp());
        loop.Add(Echo("job-1", "after the warm-up"));

        var done = await proxy.ExpectMsgAsync<NodeJobSucceeded>();
        Assert.Equal("job-1", done.JobId);
        Assert.Equal("after the warm-up", JsonDocument.Parse(done.ResultJson!).RootElement.GetProperty("text").GetString());
        Assert.Equal(WarmUpStart.NotNeeded, loop.TryWarmUp());
    }

    [Fact]
    public async Task Should_not_warm_up_once_a_job_has_run()
    {
        var proxy = CreateTestProbe("proxy");
        var loop = NewLoop(proxy);

        loop.Add(Echo("job-1", "first"));
        await proxy.ExpectMsgAsync<NodeJobSucceeded>();

        Assert.Equal(WarmUpStart.NotNeeded, loop.TryWarmUp());
    }

    [Fact]
    public async Task Should_wait_for_the_configured_plugins_to_load_before_warming_up()
    {
        var proxy = CreateTestProbe("proxy");
        var replies = CreateTestProbe("replies");
        var loop = NewLoop(proxy);
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Add(new PluginCommand(1, "echo", (_, _) => loading.Task, replies.Ref));

        Assert.Equal(WarmUpStart.Busy, loop.TryWarmUp());

        loading.SetResult();
        await replies.ExpectMsgAsync<NodePluginCommandReply>();
        // The loop ends its turn just after the reply: until then it still counts as busy.
        await AwaitAssertAsync(() => Assert.Equal(WarmUpStart.Started, loop.TryWarmUp()));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _plugins.DisposeAsync();
        _stopping.Dispose();
    }

    private JobLoop NewLoop(Akka.TestKit.TestProbe proxy) =>
        new(_plugins, proxy.Ref, CreateTestProbe("node").Ref, "worker-1", 128_000, _stopping.Token);

    private static ExecuteJob Echo(string jobId, string text) =>
        new(jobId, "echo", JsonSerializer.Serialize(new { text }), Stream: false, ConfigJson: "{}", ChunkWindow: 16);
}
