using System.Globalization;

namespace Clavex.Server.Storage.Embedded;

/// <summary>The directory holding the PostgreSQL server programs (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres</c>).</summary>
public sealed record PostgresBinaries(string Directory)
{
    public const string InstallHint = "apt-get install -y postgresql";

    public string InitDb => Path.Combine(Directory, "initdb");

    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    /// <summary>
    /// <c>pg_config --bindir</c>, else the newest <c>/usr/lib/postgresql/*/bin</c> (Debian installs server
    /// programs there, off PATH), else the directory of <c>initdb</c> on PATH.
    /// </summary>
    /// <exception cref="LocalPostgresException">None of them holds the server programs.</exception>
    public static async Task<PostgresBinaries> FindAsync(CancellationToken cancellationToken = default)
    {
        // pg_config also comes with libpq-dev, whose bindir may lack the server, so every candidate is checked.
        var fromPgConfig = await PgConfigBinDirectoryAsync(cancellationToken);
        if (fromPgConfig is not null && HasServerPrograms(fromPgConfig))
        {
            return new PostgresBinaries(fromPgConfig);
        }

        foreach (var directory in DebianBinDirectoriesNewestFirst())
        {
            if (HasServerPrograms(directory))
            {
                return new PostgresBinaries(directory);
            }
        }

        var initDbOnPath = FindOnPath("initdb");
        if (initDbOnPath is not null)
        {
            // Through symlinks, because pg_ctl looks for postgres beside the real file.
            var target = File.ResolveLinkTarget(initDbOnPath, returnFinalTarget: true)?.FullName ?? initDbOnPath;
            var directory = Path.GetDirectoryName(target)!;
            if (HasServerPrograms(directory))
            {
                return new PostgresBinaries(directory);
            }
        }

        throw new LocalPostgresException(
            "PostgreSQL server programs (initdb, pg_ctl, postgres) not found via pg_config, /usr/lib/postgresql/*/bin " +
            $"or PATH; install them with: {InstallHint}");
    }

    private static async Task<string?> PgConfigBinDirectoryAsync(CancellationToken cancellationToken)
    {
        var pgConfig = FindOnPath("pg_config");
        if (pgConfig is null)
        {
            return null;
        }

        var result = await ExternalCommand.RunAsync(pgConfig, ["--bindir"], runAsUser: null, cancellationToken);
        return result.Succeeded ? result.Output.Trim() : null;
    }

    private static IEnumerable<string> DebianBinDirectoriesNewestFirst()
    {
        const string Root = "/usr/lib/postgresql";
        if (!System.IO.Directory.Exists(Root))
        {
            return [];
        }

        return System.IO.Directory.EnumerateDirectories(Root)
            .Select(versionDirectory => (
                Version: decimal.TryParse(Path.GetFileName(versionDirectory), NumberStyles.Number, CultureInfo.InvariantCulture, out var version) ? version : -1,
                Bin: Path.Combine(versionDirectory, "bin")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin);
    }

    private static bool HasServerPrograms(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) &&
        File.Exists(Path.Combine(directory, "pg_ctl")) &&
        File.Exists(Path.Combine(directory, "postgres"));

    private static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
