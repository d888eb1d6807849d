using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Workers.Plugins.Samples;

namespace Workers.Actors.Tests.Plugins;

public class MandelbrotPluginSpecs
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task Should_write_a_png_of_the_size_asked_for()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mandelbrot-spec-{Guid.NewGuid()}.png");
        try
        {
            await using var plugin = await PluginHarness.LoadedAsync<MandelbrotPlugin>();
            var progress = new List<double>();
            var parameters = $$"""{"width":64,"height":48,"maxIterations":50,"output":{{JsonSerializer.Serialize(path)}}}""";

            var json = PluginHarness.ToJson(await plugin.ExecuteAsync(PluginHarness.Context(parameters, progress)));

            var png = await File.ReadAllBytesAsync(path);
            Assert.Equal(PngSignature, png[..8]);
            Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
            Assert.Equal(64, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(48, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            Assert.Equal(path, json.GetProperty("path").GetString());
            Assert.Equal(64, json.GetProperty("width").GetInt32());
            Assert.Equal(48, json.GetProperty("height").GetInt32());
            Assert.Equal(png.Length, json.GetProperty("bytes").GetInt64());
            Assert.Equal(1.0, progress[^1]);
            Assert.Equal(progress.Order(), progress);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Should_store_one_filtered_rgb_row_per_image_row_and_end_with_iend()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mandelbrot-spec-{Guid.NewGuid()}.png");
        try
        {
            await using var plugin = await PluginHarness.LoadedAsync<MandelbrotPlugin>();
            var parameters = $$"""{"width":30,"height":20,"output":{{JsonSerializer.Serialize(path)}}}""";
            await plugin.ExecuteAsync(PluginHarness.Context(parameters));

            var chunks = ReadChunks(await File.ReadAllBytesAsync(path));

            Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(chunk => chunk.Type));
            using var pixels = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress);
            var raw = new MemoryStream();
            await pixels.CopyToAsync(raw);
            Assert.Equal(20 * (1 + 30 * 3), raw.Length);

            // The CRC of an empty IEND chunk is fixed by the format, which checks the CRC table and its use.
            Assert.Equal(0xAE426082u, chunks[2].Crc);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Should_default_the_output_to_a_temp_file_named_after_the_job()
    {
        await using var plugin = await PluginHarness.LoadedAsync<MandelbrotPlugin>();
        var jobId = $"spec-{Guid.NewGuid()}";

        var json = PluginHarness.ToJson(
            await plugin.ExecuteAsync(PluginHarness.Context("""{"width":8,"height":8}""", jobId: jobId)));

        var path = json.GetProperty("path").GetString()!;
        try
        {
            Assert.Equal(Path.Combine(Path.GetTempPath(), $"mandelbrot-{jobId}.png"), path);
            Assert.True(File.Exists(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Should_stop_when_cancelled()
    {
        await using var plugin = await PluginHarness.LoadedAsync<MandelbrotPlugin>();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => plugin.ExecuteAsync(PluginHarness.Context(cancellationToken: cancellation.Token)));
    }

    private static List<(string Type, byte[] Data, uint Crc)> ReadChunks(byte[] png)
    {
        var chunks = new List<(string, byte[], uint)>();
        for (var offset = 8; offset < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png[(offset + 8)..(offset + 8 + length)];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            chunks.Add((type, data, crc));
            offset += 12 + length;
        }

        return chunks;
    }
}
