using System.Text.Json;

namespace Workers.Plugins.Samples;

/// <summary>
/// Allocates <c>mb</c> MiB, touching every page so the memory is resident, and holds it until the next
/// <c>alloc</c> job or until the plugin is disposed. Tests use it to drive a node's memory up. Its configuration may
/// give <c>loadMb</c>: memory taken when the plugin loads and held until it is disposed, as a model's weights are.
/// </summary>
public sealed class AllocPlugin : WorkerPluginBase
{
    private const int Mebibyte = 1024 * 1024;

    private byte[][] _model = [];
    private byte[][] _held = [];

    public override string Name => "alloc";

    protected override Task OnLoadAsync(CancellationToken cancellationToken)
    {
        var mb = 0;
        if (Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty("loadMb", out var loadMb)
            && !(loadMb.ValueKind == JsonValueKind.Number && loadMb.TryGetInt32(out mb) && mb >= 0))
            throw new ArgumentException($"Configuration 'loadMb' must be a whole number of MiB, 0 or more, got {loadMb.GetRawText()}.");
        _model = Resident(mb, cancellationToken);
        return Task.CompletedTask;
    }

    public override Task<object?> ExecuteAsync(JobContext context) =>
        SyncJob.Run(() =>
        {
            var mb = context.GetInt32InRange("mb", 0);

            // Let go of the previous job's memory first so the node's peak is this job's size, not the sum.
            _held = [];
            _held = Resident(mb, context.CancellationToken);
            return new { allocatedMb = mb };
        });

    public override ValueTask DisposeAsync()
    {
        _model = [];
        _held = [];
        return base.DisposeAsync();
    }

    private static byte[][] Resident(int mb, CancellationToken cancellationToken)
    {
        var held = new byte[mb][];
        var page = Environment.SystemPageSize;
        for (var i = 0; i < mb; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Fresh large arrays can be backed by untouched zero pages; writing one byte per page makes
            // the operating system commit them, so the process's resident size really grows.
            var block = new byte[Mebibyte];
            for (var offset = 0; offset < block.Length; offset += page)
            {
                block[offset] = 1;
            }

            held[i] = block;
        }
        return held;
    }
}
