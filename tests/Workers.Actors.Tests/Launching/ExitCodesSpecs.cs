using Workers.Actors.Launching;

namespace Workers.Actors.Tests.Launching;

public sealed class ExitCodesSpecs
{
    [Theory]
    [InlineData(134, "code 134 (SIGABRT)")]
    [InlineData(137, "code 137 (SIGKILL)")]
    [InlineData(139, "code 139 (SIGSEGV)")]
    [InlineData(143, "code 143 (SIGTERM)")]
    [InlineData(148, "code 148 (signal 20)")]
    public void Should_name_the_signal_of_a_killed_process(int code, string expected)
    {
        // Windows exit codes carry no signal (xunit 2 has no dynamic skip).
        var expectedHere = OperatingSystem.IsWindows() ? $"code {code}" : expected;

        Assert.Equal(expectedHere, ExitCodes.Describe(code));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(128)]
    [InlineData(193)]
    [InlineData(255)]
    [InlineData(-1)]
    public void Should_give_other_codes_as_they_are(int code)
    {
        Assert.Equal($"code {code}", ExitCodes.Describe(code));
    }
}
