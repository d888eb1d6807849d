using System.Collections.Immutable;
using System.Text.Json;

namespace Workers.Actors;

/// <summary>
/// A plugin registry in a folder of JSON files:
/// <c>plugins.json</c> lists the plugins (<c>[{"id": "whisper-large", "name": "whisper", "category": "transcription",
/// "description": "…"}]</c>), and <c>configs/{id}.json</c> holds each plugin's configuration. A plugin is configured
/// when its configuration file exists. The catalogue is read once; configurations are read on each call, so an
/// edited file applies to the next node start or job.
/// </summary>
public sealed class JsonFilePluginRegistry : IPluginRegistry
{
    private static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web);
    private readonly string _configDirectory;
    private readonly ImmutableArray<Entry> _entries;

    public JsonFilePluginRegistry(string directory)
    {
        var catalogue = Path.Combine(directory, "plugins.json");
        if (!File.Exists(catalogue))
            throw new FileNotFoundException($"The plugin registry has no catalogue: {catalogue} does not exist.", catalogue);
        _configDirectory = Path.Combine(directory, "configs");
        try
        {
            _entries = [.. JsonSerializer.Deserialize<Entry[]>(File.ReadAllText(catalogue), ReadOptions) ?? []];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{catalogue} is not a JSON array of plugins ({{\"id\", \"name\", \"category\"}}): {e.Message}", e);
        }
        if (_entries.FirstOrDefault(entry => string.IsNullOrWhiteSpace(entry.Id) || string.IsNullOrWhiteSpace(entry.Name)) is { } bad)
            throw new InvalidDataException($"{catalogue}: every plugin needs an \"id\" and a \"name\" (found {JsonSerializer.Serialize(bad)}).");
    }

    public IReadOnlyList<PluginMetadata> GetPluginsByCategory(object? category) =>
        [.. _entries.Where(entry => category is null || entry.Category == category.ToString()).Select(ToMetadata)];

    public PluginMetadata? GetPlugin(string pluginId) =>
        _entries.FirstOrDefault(entry => entry.Id == pluginId) is { } entry ? ToMetadata(entry) : null;

    public JsonElement? LoadPluginConfig(string pluginId)
    {
        var path = ConfigPath(pluginId);
        if (path is null || !File.Exists(path))
            return null;
        using var stream = File.OpenRead(path);
        return JsonElement.Parse(stream.ReadAllBytes());
    }

    private PluginMetadata ToMetadata(Entry entry) =>
        new(entry.Id, entry.Name, entry.Category, ConfigPath(entry.Id) is { } path && File.Exists(path), entry.Description);

    // Ids come from callers: never let one reach outside the configs folder.
    private string? ConfigPath(string pluginId) =>
        pluginId.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) < 0 && pluginId is not ("." or "..")
            ? Path.Combine(_configDirectory, pluginId + ".json")
            : null;

    private sealed record Entry(string Id, string Name, string? Category, string? Description);
}

file static class StreamExtensions
{
    public static byte[] ReadAllBytes(this Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
