using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Workers.Plugins.Samples;

/// <summary>Writes 8-bit RGB images as PNG: signature, IHDR, one IDAT, IEND.</summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="output">Where the PNG goes.</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="rgb">Rows top to bottom, three bytes (red, green, blue) per pixel.</param>
    public static void Write(Stream output, int width, int height, ReadOnlySpan<byte> rgb)
    {
        var stride = width * 3;
        if (width <= 0 || height <= 0 || rgb.Length != (long)stride * height)
        {
            throw new ArgumentException($"Expected {width}x{height} RGB pixels ({(long)stride * height} bytes), got {rgb.Length} bytes.", nameof(rgb));
        }

        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bits per channel
        header[9] = 2;  // colour type: RGB
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method: adaptive (each row names its filter)
        header[12] = 0; // no interlacing
        WriteChunk(output, "IHDR", header);

        WriteChunk(output, "IDAT", Compress(rgb, stride, height));
        WriteChunk(output, "IEND", []);
    }

    // Every row is stored with filter type 0 (none): simple, and deflate still finds the repeats in it.
    private static ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> rgb, int stride, int height)
    {
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(rgb.Slice(y * stride, stride));
            }
        }

        return compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        output.Write(field);

        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);

        // The CRC covers the chunk type and data, not the length.
        BinaryPrimitives.WriteUInt32BigEndian(field, Crc32.Append(Crc32.Append(0, typeBytes), data));
        output.Write(field);
    }
}
