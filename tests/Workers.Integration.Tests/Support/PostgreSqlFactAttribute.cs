namespace Workers.Integration.Tests.Support;

/// <summary>
/// A test that needs a PostgreSQL server: the connection string of a user allowed to create databases comes from
/// <c>WORKERS_TEST_POSTGRES</c>, which <c>.ci/run</c> sets after starting a throwaway server. Without it the test is
/// skipped, and the skip says why.
/// </summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public const string Variable = "WORKERS_TEST_POSTGRES";

    public PostgreSqlFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"{Variable} is not set: no PostgreSQL server to test against (.ci/run starts one; see the README's Durability section).";
    }

    public static string ConnectionString => Environment.GetEnvironmentVariable(Variable)!;
}
