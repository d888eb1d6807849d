namespace Workers.WorkerNode;

/// <summary>How a node process ends; a manager and an operator's supervisor can tell the cases apart.</summary>
internal static class ExitCode
{
    public const int Ok = 0;
    public const int BadArguments = 2;
    public const int ManagerUnreachable = 3;
    public const int PluginLoadFailed = 4;
    public const int RegistrationRefused = 5;
    public const int ManagerLost = 6;

    /// <summary>The manager refused the node's token: restarting will not help until the token file is fixed.</summary>
    public const int TokenRefused = 7;
}
