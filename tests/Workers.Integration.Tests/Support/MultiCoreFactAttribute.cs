namespace Workers.Integration.Tests.Support;

/// <summary>A test of the runtime's multicore JIT, which does nothing on a single core: skipped there, saying why.</summary>
public sealed class MultiCoreFactAttribute : FactAttribute
{
    public MultiCoreFactAttribute()
    {
        if (Environment.ProcessorCount < 2)
            Skip = "The runtime records and plays back JIT profiles only with two or more cores; this machine has one.";
    }
}
