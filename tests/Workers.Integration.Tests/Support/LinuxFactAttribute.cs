namespace Workers.Integration.Tests.Support;

/// <summary>A fact that reads what only Linux shows of another process (<c>/proc/&lt;pid&gt;/</c>); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Reads another process's command line and mapped files from /proc, which only Linux has.";
    }
}
