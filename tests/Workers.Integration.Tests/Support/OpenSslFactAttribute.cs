namespace Workers.Integration.Tests.Support;

/// <summary>
/// A test that sets what a node process trusts through <c>SSL_CERT_FILE</c>, which only OpenSSL reads (.NET uses it on
/// Linux): skipped elsewhere, saying why.
/// </summary>
public sealed class OpenSslFactAttribute : FactAttribute
{
    public OpenSslFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "The node is made to trust the test's certificate through SSL_CERT_FILE, which .NET reads only on Linux.";
    }
}
