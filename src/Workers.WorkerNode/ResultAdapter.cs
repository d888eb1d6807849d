using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Workers.WorkerNode;

/// <summary>
/// Turns what a plugin returned into the JSON result of the job, as the original library's default adapter does: an
/// object stays as it is, anything else becomes <c>{"text": &lt;its text&gt;, "metadata": {}}</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A JSON object (<see cref="JsonElement"/>, <see cref="JsonDocument"/>, <see cref="JsonNode"/>) is kept as is;
/// another JSON value is wrapped: <c>42</c> gives <c>{"text": "42", …}</c>, <c>"x"</c> gives <c>{"text": "x", …}</c>.</item>
/// <item>A <see cref="string"/> is wrapped.</item>
/// <item>Any other object is serialized to camelCase JSON; if that is an object it is kept, else the object's text
/// (<see cref="object.ToString"/>, culture-invariant for numbers and dates) is wrapped.</item>
/// <item>No result (<c>null</c>, JSON <c>null</c>) is <c>{}</c>.</item>
/// </list>
/// </remarks>
internal static class ResultAdapter
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    private static readonly ConditionalWeakTable<Assembly, JsonSerializerOptions> PluginOptions = [];

    public static string ToJson(object? result) => result switch
    {
        null => "{}",
        JsonElement element => FromJson(element),
        JsonDocument document => FromJson(document.RootElement),
        JsonNode node => node.GetValueKind() switch
        {
            JsonValueKind.Object => node.ToJsonString(),
            JsonValueKind.String => Wrap(node.GetValue<string>()),
            _ => Wrap(node.ToJsonString()),
        },
        string text => Wrap(text),
        // The serializer writes no leading whitespace: an object starts with '{'.
        _ => JsonSerializer.Serialize(result, result.GetType(), OptionsFor(result.GetType())) is var json && json.StartsWith('{')
            ? json
            : Wrap(Convert.ToString(result, CultureInfo.InvariantCulture) ?? ""),
    };

    private static string FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.GetRawText(),
        JsonValueKind.Undefined or JsonValueKind.Null => "{}",
        JsonValueKind.String => Wrap(element.GetString()!),
        _ => Wrap(element.GetRawText()),
    };

    private static string Wrap(string text) => JsonSerializer.Serialize(new { text, metadata = new { } }, Options);

    /// <summary>
    /// System.Text.Json keeps what it learnt about a type for as long as the options live (dotnet/runtime#65323):
    /// shared options would keep an unloaded plugin's types, and so its whole load context, alive for ever. A plugin
    /// assembly's types get options of their own (with a resolver of their own, else they would share the cache of
    /// equal options), which die with the assembly. Keyed by the assembly, not its load context: an unloading context
    /// is held by the runtime until its types are gone. (The serializer's accessor cache also lets go of a type about
    /// a second after its last use, at its next use.)
    /// </summary>
    private static JsonSerializerOptions OptionsFor(Type type) =>
        CollectibleAssembly(type) is { } assembly ? PluginOptions.GetValue(assembly, _ => NewPluginOptions()) : Options;

    private static JsonSerializerOptions NewPluginOptions() => new(Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    /// <summary>
    /// Turns <paramref name="result"/> into JSON as a job's result would be, and once more with options like those a
    /// plugin's types get, so that the serializer's one-time set-up is done before a job needs it (see
    /// <see cref="JobLoop.TryWarmUp"/>). Returns the JSON.
    /// </summary>
    internal static string WarmUp(object result)
    {
        _ = JsonSerializer.Serialize(result, result.GetType(), NewPluginOptions());
        return ToJson(result);
    }

    private static Assembly? CollectibleAssembly(Type type) =>
        !type.IsCollectible ? null
        : type.Assembly.IsCollectible ? type.Assembly
        : type.HasElementType ? CollectibleAssembly(type.GetElementType()!)
        : type.GetGenericArguments().Select(CollectibleAssembly).FirstOrDefault(assembly => assembly is not null);
}
