namespace Clavex.Tests.Support;

/// <summary>A temporary migrations directory whose files a test writes, deleted on dispose.</summary>
internal sealed class ScratchMigrations : IDisposable
{
    public ScratchMigrations(params (string FileName, string Sql)[] files)
    {
        foreach (var (fileName, sql) in files)
        {
            Write(fileName, sql);
        }
    }

    public string Path { get; } = Directory.CreateTempSubdirectory("clavex-migrations-").FullName;

    public void Write(string fileName, string sql) => File.WriteAllText(System.IO.Path.Combine(Path, fileName), sql);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
