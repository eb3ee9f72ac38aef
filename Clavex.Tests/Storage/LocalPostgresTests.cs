using System.Globalization;
using System.Security.Cryptography;
using Clavex.Server.Storage.Embedded;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>The embedded PostgreSQL of <c>start-dev</c>, in a directory of its own (not the suite's shared cluster).</summary>
public class LocalPostgresTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        // Not Directory.CreateTempSubdirectory: its mode 0700 would keep out the postgres user when running as root.
        _directory = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture,
            $"clavex-pg-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void RemoveDirectory()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Issue 16: Clavex killed with SIGKILL leaves its PostgreSQL running and holding <c>postmaster.pid</c>; the next
    /// start-dev used to refuse to start until it was stopped by hand.
    /// </summary>
    [Test]
    public async Task A_cluster_left_running_by_a_killed_start_dev_is_stopped_and_started_again_issue_16()
    {
        string data = Path.Combine(_directory, "data");
        var killed = new LocalPostgres(data, throwaway: true);
        await killed.StartAsync();
        await using (var connection = new NpgsqlConnection(killed.ConnectionString))
        {
            await connection.OpenAsync();
        }

        // The killed process never stops it; the next start-dev makes a new LocalPostgres over the same directory.
        await using var next = new LocalPostgres(data, throwaway: true);
        try
        {
            await next.StartAsync();

            Assert.That(next.StoppedLeftover, Is.True);
            await using var connection = new NpgsqlConnection(next.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(1));
        }
        finally
        {
            killed.Abort();
        }
    }

    [Test]
    public async Task A_cluster_stopped_cleanly_starts_again_without_stopping_anything()
    {
        string data = Path.Combine(_directory, "data");
        await using (var first = new LocalPostgres(data, throwaway: true))
        {
            await first.StartAsync();
        }

        await using var second = new LocalPostgres(data, throwaway: true);
        await second.StartAsync();

        Assert.That(second.StoppedLeftover, Is.False);
    }
}
