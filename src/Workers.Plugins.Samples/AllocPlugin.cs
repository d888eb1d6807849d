namespace Workers.Plugins.Samples;

/// <summary>
/// Allocates <c>mb</c> MiB, touching every page so the memory is resident, and holds it until the next
/// <c>alloc</c> job or until the plugin is disposed. Tests use it to drive a node's memory up.
/// </summary>
public sealed class AllocPlugin : WorkerPluginBase
{
    private const int Mebibyte = 1024 * 1024;

    private byte[][] _held = [];

    public override string Name => "alloc";

    public override Task<object?> ExecuteAsync(JobContext context) =>
        SyncJob.Run(() =>
        {
            var mb = context.GetInt32InRange("mb", 0);

            // Let go of the previous job's memory first so the node's peak is this job's size, not the sum.
            _held = [];
            var held = new byte[mb][];
            var page = Environment.SystemPageSize;
            for (var i = 0; i < mb; i++)
            {
                context.CancellationToken.ThrowIfCancellationRequested();

                // Fresh large arrays can be backed by untouched zero pages; writing one byte per page makes
                // the operating system commit them, so the process's resident size really grows.
                var block = new byte[Mebibyte];
                for (var offset = 0; offset < block.Length; offset += page)
                {
                    block[offset] = 1;
                }

                held[i] = block;
            }

            _held = held;
            return new { allocatedMb = mb };
        });

    public override ValueTask DisposeAsync()
    {
        _held = [];
        return base.DisposeAsync();
    }
}
