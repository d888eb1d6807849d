using System.Text.Json;
using Workers.Actors.Manager;

namespace Workers.Actors.Tests.Manager;

public sealed class JobSubmissionSpecs
{
    private static readonly WorkerConfig Unlimited = new();

    [Fact]
    public void Should_accept_a_valid_submission()
    {
        Assert.Null(Reject(new StartJob("echo", Json("""{"text":"hi"}"""), new JobOptions { JobId = "id-1", Timeout = TimeSpan.FromSeconds(1) })));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Should_require_a_plugin_id(string pluginId)
    {
        Assert.Equal("PluginId is required.", Reject(new StartJob(pluginId, Json("{}"))));
    }

    [Theory]
    [InlineData("[]", "Array")]
    [InlineData("\"x\"", "String")]
    [InlineData("1", "Number")]
    [InlineData("false", "False")]
    public void Should_reject_parameters_that_are_not_an_object(string json, string kind)
    {
        Assert.Equal($"Parameters must be a JSON object (or omitted), got {kind}.", Reject(new StartJob("echo", Json(json))));
    }

    [Fact]
    public void Should_accept_missing_or_null_parameters_as_none()
    {
        Assert.Null(Reject(new StartJob("echo", default)));
        Assert.Null(Reject(new StartJob("echo", Json("null"))));
        Assert.Equal("{}", JobSubmission.ParametersJson(default));
        Assert.Equal("{}", JobSubmission.ParametersJson(Json("null")));
        Assert.Equal("""{"a":1}""", JobSubmission.ParametersJson(Json("""{"a":1}""")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("new\nline")]
    public void Should_reject_an_unusable_job_id(string jobId)
    {
        Assert.Equal("JobId must be 1 to 200 printable characters.", Reject(WithOptions(new JobOptions { JobId = jobId })));
    }

    [Fact]
    public void Should_limit_the_length_of_a_job_id()
    {
        Assert.Null(Reject(WithOptions(new JobOptions { JobId = new string('x', JobSubmission.MaxJobIdLength) })));
        Assert.NotNull(Reject(WithOptions(new JobOptions { JobId = new string('x', JobSubmission.MaxJobIdLength + 1) })));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Should_reject_a_timeout_that_is_not_positive(int seconds)
    {
        var timeout = TimeSpan.FromSeconds(seconds);

        Assert.Equal($"Timeout must be positive, got {timeout}.", Reject(WithOptions(new JobOptions { Timeout = timeout })));
    }

    [Fact]
    public void Should_reject_when_the_queue_is_full()
    {
        var config = new WorkerConfig { RequestQueueSize = 2 };
        var start = new StartJob("echo", Json("{}"));

        Assert.Null(JobSubmission.Reject(start, 1, config));
        Assert.Equal(
            "The queue is full: 2 jobs are pending (WorkerConfig.RequestQueueSize = 2). Retry later or raise the limit.",
            JobSubmission.Reject(start, 2, config));
        Assert.Null(JobSubmission.Reject(start, 10_000, Unlimited)); // 0 means unlimited
    }

    [Fact]
    public void Should_reject_parameters_larger_than_a_message_to_a_node_carries_counting_utf8_bytes()
    {
        // {"text":"…"}: 11 bytes around the text; "é" takes 2 bytes.
        var fits = new StartJob("echo", Json($$"""{"text":"{{new string('é', 50)}}"}"""));
        var over = new StartJob("echo", Json($$"""{"text":"{{new string('é', 51)}}"}"""));

        Assert.Null(JobSubmission.Invalid(fits, maxParametersBytes: 111));
        Assert.Equal(
            "Parameters are 113 bytes of JSON, more than the 111 bytes a job can take to its worker node. "
            + "Pass large inputs by reference (a file path or a URL), or raise akka.remote.dot-netty.tcp.maximum-frame-size on the manager and its nodes.",
            JobSubmission.Invalid(over, maxParametersBytes: 111));
        Assert.Null(JobSubmission.Invalid(new StartJob("echo", default), maxParametersBytes: 0)); // no parameters: nothing to carry
    }

    private static string? Reject(StartJob start) => JobSubmission.Reject(start, 0, Unlimited);

    private static StartJob WithOptions(JobOptions options) => new("echo", Json("{}"), options);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
