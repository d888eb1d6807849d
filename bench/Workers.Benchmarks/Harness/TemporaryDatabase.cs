using Microsoft.Data.Sqlite;

namespace Workers.Benchmarks.Harness;

/// <summary>A SQLite file in a folder of its own under the temp directory, deleted with the folder.</summary>
internal sealed class TemporaryDatabase : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("workers-bench-");

    public string Path => System.IO.Path.Combine(_folder.FullName, "workers.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
