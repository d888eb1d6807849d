namespace Workers.Actors.Launching;

/// <summary>Turns an exit code into words, naming the signal when the process was killed by one.</summary>
public static class ExitCodes
{
    public static string Describe(int code) =>
        code > 128 && code < 128 + 65 && !OperatingSystem.IsWindows()
            ? $"code {code} ({SignalName(code - 128)})"
            : $"code {code}";

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };
}
