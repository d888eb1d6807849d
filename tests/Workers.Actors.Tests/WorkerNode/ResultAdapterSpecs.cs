using System.Text.Json;
using System.Text.Json.Nodes;
using Workers.WorkerNode;

namespace Workers.Actors.Tests.WorkerNode;

public sealed class ResultAdapterSpecs
{
    [Fact]
    public void Should_keep_json_as_it_is()
    {
        using var document = JsonDocument.Parse("""{"Keep":[1,2],"Case":true}""");

        Assert.Equal("""{"Keep":[1,2],"Case":true}""", ResultAdapter.ToJson(document.RootElement));
        Assert.Equal("""{"Keep":[1,2],"Case":true}""", ResultAdapter.ToJson(document));
        Assert.Equal("""{"Node":1}""", ResultAdapter.ToJson(new JsonObject { ["Node"] = 1 }));
    }

    [Fact]
    public void Should_wrap_text()
    {
        using var json = JsonDocument.Parse(ResultAdapter.ToJson("hello \"you\""));

        Assert.Equal(["text"], json.RootElement.EnumerateObject().Select(property => property.Name));
        Assert.Equal("hello \"you\"", json.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void Should_serialize_other_objects_in_camel_case()
    {
        var json = ResultAdapter.ToJson(new { SleptMs = 5, Nested = new { WorkerId = "worker-1" }, Missing = (string?)null });

        Assert.Equal("""{"sleptMs":5,"nested":{"workerId":"worker-1"},"missing":null}""", json);
    }

    [Fact]
    public void Should_turn_no_result_into_an_empty_object()
    {
        Assert.Equal("{}", ResultAdapter.ToJson(null));
    }
}
