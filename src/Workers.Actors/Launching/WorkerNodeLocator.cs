namespace Workers.Actors.Launching;

/// <summary>Finds the worker node executable: an explicit path, else the one the build copies beside the application.</summary>
public static class WorkerNodeLocator
{
    public const string ExecutableName = "Workers.WorkerNode";

    /// <summary>Returns the full path of the node's apphost or dll; throws <see cref="FileNotFoundException"/> with a way out when there is none.</summary>
    public static string Locate(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            var full = Path.GetFullPath(explicitPath, AppContext.BaseDirectory);
            return File.Exists(full)
                ? full
                : throw new FileNotFoundException(
                    $"The worker node executable was not found at {full} (JobManagerOptions.WorkerNodePath).", full);
        }

        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? ExecutableName + ".exe" : ExecutableName);
        if (File.Exists(apphost))
            return apphost;
        var dll = Path.Combine(AppContext.BaseDirectory, ExecutableName + ".dll");
        if (File.Exists(dll))
            return dll;
        throw new FileNotFoundException(
            $"The worker node executable ({ExecutableName}) was not found in {AppContext.BaseDirectory}. "
            + "A project that references Workers.Actors gets it copied there by the build; otherwise set JobManagerOptions.WorkerNodePath.",
            apphost);
    }
}
