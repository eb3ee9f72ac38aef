using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Clavex.Server.Storage.Migrations;

/// <summary>Finds and reads the <c>NNNN_name.sql</c> files of a migrations directory.</summary>
public static partial class MigrationFiles
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The directory shipped beside the binary, else the first <c>db/migrations</c> found walking up from the
    /// current directory (running from a checkout with <c>dotnet run</c> or a test runner).
    /// </summary>
    public static string Locate()
    {
        var besideBinary = Path.Combine(AppContext.BaseDirectory, "db", "migrations");
        if (Directory.Exists(besideBinary))
        {
            return besideBinary;
        }

        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "db", "migrations");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new MigrationException(
            $"No db/migrations directory beside the binary ({besideBinary}) or in any parent of {Environment.CurrentDirectory}.");
    }

    /// <summary>Every migration in <paramref name="directory"/>, ordered by version.</summary>
    /// <exception cref="MigrationException">A file is misnamed, or two files share a version.</exception>
    public static IReadOnlyList<Migration> Read(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new MigrationException($"Migrations directory {directory} does not exist.");
        }

        var byVersion = new SortedDictionary<int, Migration>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var fileName = Path.GetFileName(path);

            // Dotfiles (.gitkeep, editor state) are not candidates. Anything else that misses the pattern is
            // refused rather than skipped: a silently ignored "0002_users.SQL" would leave the schema behind.
            if (fileName.StartsWith('.'))
            {
                continue;
            }

            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new MigrationException(
                    $"Migration file {fileName} in {directory} is not named NNNN_lowercase_name.sql.");
            }

            var version = int.Parse(match.Groups["version"].ValueSpan, provider: null);
            var migration = Load(path, version, match.Groups["name"].Value);
            if (!byVersion.TryAdd(version, migration))
            {
                throw new MigrationException(
                    $"Migration version {version:D4} appears twice in {directory}: {version:D4}_{byVersion[version].Name}.sql and {fileName}.");
            }
        }

        return [.. byVersion.Values];
    }

    private static Migration Load(string path, int version, string name)
    {
        var bytes = File.ReadAllBytes(path);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string sql;
        try
        {
            sql = StrictUtf8.GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException e)
        {
            throw new MigrationException($"Migration file {Path.GetFileName(path)} is not valid UTF-8.", e);
        }

        return new Migration(version, name, checksum, sql);
    }

    // [0-9], not \d: .NET's \d also matches non-ASCII digits.
    [GeneratedRegex(@"^(?<version>[0-9]{4})_(?<name>[a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
