namespace Workers.Plugins.Samples;

/// <summary>
/// Renders the Mandelbrot set to a PNG file, reporting progress as rows are done and stopping between rows
/// when the job is cancelled.
/// </summary>
/// <remarks>
/// Parameters: <c>width</c> (default 320), <c>height</c> (default 240), <c>maxIterations</c> (default 200),
/// <c>output</c> (default <c>mandelbrot-{jobId}.png</c> in the temporary folder; folders are created).
/// </remarks>
public sealed class MandelbrotPlugin : WorkerPluginBase
{
    private const int MaxSide = 8192;

    private const double PaletteCycle = 24;

    // Gradient stops (position, red, green, blue): navy far out, through blue and white, to orange and
    // near-black at the edge of the set, repeating every PaletteCycle iterations so detail keeps its contrast.
    private static readonly (double At, double R, double G, double B)[] Stops =
    [
        (0.0, 0, 7, 100),
        (0.16, 32, 107, 203),
        (0.42, 237, 255, 255),
        (0.6425, 255, 170, 0),
        (0.8575, 0, 2, 0),
        (1.0, 0, 7, 100),
    ];

    public override string Name => "mandelbrot";

    public override async Task<object?> ExecuteAsync(JobContext context)
    {
        var width = context.GetInt32InRange("width", 320, 1, MaxSide);
        var height = context.GetInt32InRange("height", 240, 1, MaxSide);
        var maxIterations = context.GetInt32InRange("maxIterations", 200, 1, 1_000_000);
        var path = Path.GetFullPath(context.GetString("output", DefaultOutput(context.JobId)));

        var rgb = Render(width, height, maxIterations, context);

        var encoded = new MemoryStream();
        PngEncoder.Write(encoded, width, height, rgb);
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await File.WriteAllBytesAsync(path, encoded.ToArray(), context.CancellationToken).ConfigureAwait(false);
        context.ReportProgress(1);
        return new { path, width, height, bytes = new FileInfo(path).Length };
    }

    private static byte[] Render(int width, int height, int maxIterations, JobContext context)
    {
        // The whole set (real -2.5..1, imaginary -1.25..1.25) fits whatever the aspect ratio.
        const double centreX = -0.75;
        var scale = Math.Max(3.5 / width, 2.5 / height);
        var rgb = new byte[width * height * 3];
        var rowsPerReport = Math.Max(1, height / 50);

        for (var y = 0; y < height; y++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var ci = (y - height / 2.0) * scale;
            for (var x = 0; x < width; x++)
            {
                var cr = centreX + (x - width / 2.0) * scale;
                Colour(Escape(cr, ci, maxIterations), rgb.AsSpan((y * width + x) * 3, 3));
            }

            if ((y + 1) % rowsPerReport == 0)
            {
                // Rendering is most of the work; the last bit is left for encoding and writing the file.
                context.ReportProgress(0.95 * (y + 1) / height, $"rendered {y + 1} of {height} rows");
            }
        }

        return rgb;
    }

    /// <returns>A smooth (fractional) iteration count, or -1 for points inside the set.</returns>
    private static double Escape(double cr, double ci, int maxIterations)
    {
        double zr = 0, zi = 0;
        for (var i = 0; i < maxIterations; i++)
        {
            var zr2 = zr * zr;
            var zi2 = zi * zi;

            // Escaping at radius 16 rather than 2 makes the smoothing below free of banding.
            if (zr2 + zi2 > 256)
            {
                return i + 1 - Math.Log2(Math.Log2(zr2 + zi2) / 2);
            }

            zi = 2 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
        }

        return -1;
    }

    private static void Colour(double escape, Span<byte> pixel)
    {
        if (escape < 0)
        {
            pixel.Clear();
            return;
        }

        var t = escape / PaletteCycle % 1;
        var i = 1;
        while (Stops[i].At < t)
        {
            i++;
        }

        var (from, to) = (Stops[i - 1], Stops[i]);
        var f = (t - from.At) / (to.At - from.At);
        pixel[0] = (byte)Math.Round(from.R + (to.R - from.R) * f);
        pixel[1] = (byte)Math.Round(from.G + (to.G - from.G) * f);
        pixel[2] = (byte)Math.Round(from.B + (to.B - from.B) * f);
    }

    private static string DefaultOutput(string jobId)
    {
        var safeId = string.Concat(jobId.Select(c => Array.IndexOf(Path.GetInvalidFileNameChars(), c) >= 0 ? '_' : c));
        return Path.Combine(Path.GetTempPath(), $"mandelbrot-{safeId}.png");
    }
}
