using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Clavex.Server.Storage.Embedded;
using Clavex.Server.Storage.Migrations;
using Npgsql;

namespace Clavex.Tests;

/// <summary>
/// One PostgreSQL database, migrated, for the whole test run. By default a throwaway cluster on a free port of
/// 127.0.0.1 in a temporary directory, removed afterwards; set <c>CLAVEX_TEST_DATABASE</c> to a connection string
/// to use an existing database instead.
/// </summary>
[SetUpFixture]
public sealed partial class PostgresFixture
{
    public const string DatabaseVariable = "CLAVEX_TEST_DATABASE";

    // The owning process id is in the name so a later run can tell a leaked cluster from a live one.
    private const string ClusterDirectoryPrefix = "clavex-pg-";

    private static readonly List<string> s_createdDatabases = [];

    private static string? s_serverConnectionString;
    private static string? s_connectionString;
    private static bool s_external;
    private static LocalPostgres? s_cluster;
    private static string? s_clusterDirectory;
    private static int s_cleanedUp;

    /// <summary>The migrated database shared by all tests; each test creates its own organisation in it.</summary>
    public static string ConnectionString =>
        s_connectionString ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        try
        {
            var external = Environment.GetEnvironmentVariable(DatabaseVariable);
            if (!string.IsNullOrWhiteSpace(external))
            {
                s_external = true;
                s_serverConnectionString = external;
                s_connectionString = external;
            }
            else
            {
                var cluster = await StartThrowawayClusterAsync();
                s_serverConnectionString = cluster.ConnectionString;
                s_connectionString = await CreateDatabaseAsync("clavex_tests");
            }

            await using var connection = new NpgsqlConnection(s_connectionString);
            await new MigrationRunner(MigrationFiles.Locate()).ApplyAsync(connection);
        }
        catch
        {
            // NUnit does not promise the tear-down of a fixture whose set-up failed.
            AbortCluster();
            throw;
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_external)
        {
            await DropCreatedDatabasesAsync();
            return;
        }

        if (Interlocked.Exchange(ref s_cleanedUp, 1) == 1)
        {
            return;
        }

        try
        {
            if (s_cluster is not null)
            {
                await s_cluster.DisposeAsync();
            }
        }
        finally
        {
            DeleteClusterDirectory(s_clusterDirectory);
        }
    }

    /// <summary>
    /// Creates an empty database (no migrations) named <paramref name="prefix"/> plus a random suffix, for tests
    /// that need a blank schema, and returns its connection string.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        if (!DatabasePrefix().IsMatch(prefix))
        {
            throw new ArgumentException($"Database prefix {prefix} must match {DatabasePrefix()}.", nameof(prefix));
        }

        var server = s_serverConnectionString ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");
        var name = $"{prefix}_{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        lock (s_createdDatabases)
        {
            s_createdDatabases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static async Task<LocalPostgres> StartThrowawayClusterAsync()
    {
        RemoveLeakedClusters();

        s_clusterDirectory = Path.Combine(
            Path.GetTempPath(),
            string.Create(CultureInfo.InvariantCulture, $"{ClusterDirectoryPrefix}{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}"));

        // Not Directory.CreateTempSubdirectory: its mode 0700 would keep out the postgres user when running as root.
        Directory.CreateDirectory(s_clusterDirectory);
        var cluster = new LocalPostgres(Path.Combine(s_clusterDirectory, "data"), throwaway: true);
        s_cluster = cluster; // before starting, so a failed start is cleaned up too

        // Tear-down is skipped when the run is aborted; this still catches a normal process exit.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => AbortCluster();
        await cluster.StartAsync();
        return cluster;
    }

    private static void AbortCluster()
    {
        if (Interlocked.Exchange(ref s_cleanedUp, 1) == 1)
        {
            return;
        }

        s_cluster?.Abort();
        DeleteClusterDirectory(s_clusterDirectory);
    }

    // A run killed outright (SIGKILL, a crashed test host) runs neither tear-down nor ProcessExit.
    private static void RemoveLeakedClusters()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), ClusterDirectoryPrefix + "*"))
        {
            var match = ClusterDirectoryName().Match(Path.GetFileName(directory));
            if (match.Success && !IsProcessAlive(int.Parse(match.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture)))
            {
                new LocalPostgres(Path.Combine(directory, "data")).Abort();
                DeleteClusterDirectory(directory);
            }
        }
    }

    private static bool IsProcessAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void DeleteClusterDirectory(string? directory)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TestContext.Progress.WriteLine($"Could not delete the test cluster directory {directory}: {e.Message}");
        }
    }

    private static async Task DropCreatedDatabasesAsync()
    {
        await using var connection = new NpgsqlConnection(s_serverConnectionString);
        await connection.OpenAsync();
        foreach (var name in s_createdDatabases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,40}$")]
    private static partial Regex DatabasePrefix();

    [GeneratedRegex(@"^clavex-pg-(?<pid>[0-9]+)-[0-9a-f]+$")]
    private static partial Regex ClusterDirectoryName();
}
