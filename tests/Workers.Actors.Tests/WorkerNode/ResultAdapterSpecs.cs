using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workers.WorkerNode;

namespace Workers.Actors.Tests.WorkerNode;

/// <summary>
/// The original's default adapter (reference section 3.4, EXECUTE): a dict stays as it is, anything else becomes
/// <c>{"text": …, "metadata": {}}</c>.
/// </summary>
public sealed class ResultAdapterSpecs
{
    [Fact]
    public void Should_keep_json_objects_as_they_are()
    {
        using var document = JsonDocument.Parse("""{"Keep":[1,2],"Case":true}""");

        Assert.Equal("""{"Keep":[1,2],"Case":true}""", ResultAdapter.ToJson(document.RootElement));
        Assert.Equal("""{"Keep":[1,2],"Case":true}""", ResultAdapter.ToJson(document));
        Assert.Equal("""{"Node":1}""", ResultAdapter.ToJson(new JsonObject { ["Node"] = 1 }));
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("3.5", "3.5")]
    [InlineData("\"x\"", "x")]
    [InlineData("true", "true")]
    [InlineData("[1,\"a\"]", "[1,\"a\"]")]
    public void Should_wrap_a_json_value_that_is_not_an_object(string json, string text)
    {
        using var document = JsonDocument.Parse(json);

        AssertWrapped(text, ResultAdapter.ToJson(document.RootElement));
        AssertWrapped(text, ResultAdapter.ToJson(document));
        AssertWrapped(text, ResultAdapter.ToJson(JsonNode.Parse(json)));
    }

    [Fact]
    public void Should_wrap_text_with_empty_metadata()
    {
        var json = ResultAdapter.ToJson("hello \"you\"");

        Assert.Equal("""{"text":"hello \u0022you\u0022","metadata":{}}""", json);
        AssertWrapped("hello \"you\"", json);
        AssertWrapped("Plain text result", ResultAdapter.ToJson("Plain text result")); // the original's own example
    }

    [Fact]
    public void Should_serialize_other_objects_in_camel_case()
    {
        var json = ResultAdapter.ToJson(new { SleptMs = 5, Nested = new { WorkerId = "worker-1" }, Missing = (string?)null });

        Assert.Equal("""{"sleptMs":5,"nested":{"workerId":"worker-1"},"missing":null}""", json);
    }

    [Fact]
    public void Should_keep_an_object_with_text_and_metadata_in_the_shape_of_the_original()
    {
        var json = ResultAdapter.ToJson(new Transcript("hi", new Dictionary<string, object> { ["language"] = "en" }));

        Assert.Equal("""{"text":"hi","metadata":{"language":"en"}}""", json);
    }

    [Fact]
    public void Should_wrap_the_text_of_an_object_that_does_not_serialize_to_an_object()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // a decimal comma must not leak into results
        try
        {
            AssertWrapped("42", ResultAdapter.ToJson(42));
            AssertWrapped("2.5", ResultAdapter.ToJson(2.5));
            AssertWrapped("True", ResultAdapter.ToJson(true));
            AssertWrapped("Friday", ResultAdapter.ToJson(DayOfWeek.Friday));
            AssertWrapped(typeof(int[]).ToString(), ResultAdapter.ToJson(new[] { 1, 2 })); // ToString, as str() in the original
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Should_turn_no_result_into_an_empty_object()
    {
        Assert.Equal("{}", ResultAdapter.ToJson(null));
        Assert.Equal("{}", ResultAdapter.ToJson(JsonDocument.Parse("null").RootElement));
        Assert.Equal("{}", ResultAdapter.ToJson(default(JsonElement)));
    }

    [Fact]
    public void Should_warm_up_with_the_json_a_job_would_get()
    {
        var result = new Transcript("hello", new Dictionary<string, object> { ["words"] = 1 });

        Assert.Equal("""{"text":"hello","metadata":{"words":1}}""", ResultAdapter.WarmUp(result));
        Assert.Equal(ResultAdapter.ToJson(result), ResultAdapter.WarmUp(result));
    }

    private static void AssertWrapped(string text, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(["text", "metadata"], root.EnumerateObject().Select(property => property.Name));
        Assert.Equal(text, root.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("metadata").ValueKind);
        Assert.Empty(root.GetProperty("metadata").EnumerateObject());
    }

    private sealed record Transcript(string Text, IReadOnlyDictionary<string, object> Metadata);
}
