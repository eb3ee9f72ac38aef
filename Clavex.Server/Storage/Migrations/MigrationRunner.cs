using System.Data;
using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage.Migrations;

/// <summary>
/// Applies the migrations of a directory forward-only: each version once, in order, each in its own transaction
/// together with its <c>schema_migrations</c> row, so a failed migration leaves no trace and the next run retries it.
/// </summary>
public sealed class MigrationRunner(string migrationsDirectory)
{
    /// <summary>
    /// Key of the session-level advisory lock that serialises runners, e.g. several instances starting at once.
    /// Every Clavex version must use the same key, so it never changes. ASCII "ClavexMg".
    /// </summary>
    public const long AdvisoryLockKey = 0x436C_6176_6578_4D67;

    private const string Lock = "SELECT pg_advisory_lock(@Key)";

    // Whatever the connection string's options say: waiting behind another instance's migration, and a long
    // migration, are both meant. Session-level, on the runner's own connection.
    private const string NoTimeouts = "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0";

    private const string Unlock = "SELECT pg_advisory_unlock(@Key)";

    private const string CreateHistory = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    int         PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private const string SelectHistory = "SELECT version, checksum FROM schema_migrations";

    private const string InsertHistory = """
        INSERT INTO schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)
        """;

    public string MigrationsDirectory { get; } = migrationsDirectory;

    /// <summary>Applies the migrations not yet recorded in the database and returns them, in order.</summary>
    /// <remarks>
    /// Versions recorded in the database but absent from the directory are left alone: they come from a newer
    /// build, and an older instance still running during a rolling deploy must be able to start.
    /// </remarks>
    /// <exception cref="MigrationException">
    /// A file is misnamed or duplicated, an applied migration's file has changed, or a migration failed (it was
    /// rolled back; the ones before it stay applied).
    /// </exception>
    public async Task<IReadOnlyList<Migration>> ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // Files first: a misnamed file fails the run before the database is touched.
        var migrations = MigrationFiles.Read(MigrationsDirectory);

        if (connection.State != ConnectionState.Open)
        {
            await connection.OpenAsync(cancellationToken);
        }

        // Session-level rather than transaction-level because it must span one transaction per migration.
        // No timeout: waiting behind another instance's long migration is the point.
        await connection.ExecuteAsync(Command(NoTimeouts, null, cancellationToken));
        await connection.ExecuteAsync(Command(Lock, new { Key = AdvisoryLockKey }, cancellationToken));
        try
        {
            await connection.ExecuteAsync(Command(CreateHistory, null, cancellationToken));
            var history = await connection.QueryAsync<(int Version, string Checksum)>(Command(SelectHistory, null, cancellationToken));
            var applied = history.ToDictionary(row => row.Version, row => row.Checksum);

            EnsureAppliedFilesUnchanged(migrations, applied);

            var newlyApplied = new List<Migration>();
            foreach (var migration in migrations)
            {
                if (!applied.ContainsKey(migration.Version))
                {
                    await ApplyOneAsync(connection, migration, cancellationToken);
                    newlyApplied.Add(migration);
                }
            }

            return newlyApplied;
        }
        finally
        {
            await ReleaseLockAsync(connection);
        }
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(Command(migration.Sql, null, cancellationToken, transaction));
        }
        catch (PostgresException e)
        {
            throw new MigrationException(
                $"Migration {FileName(migration)} failed and was rolled back: {e.SqlState}: {e.MessageText}", e);
        }

        await connection.ExecuteAsync(
            Command(InsertHistory, new { migration.Version, migration.Name, migration.Checksum }, cancellationToken, transaction));
        await transaction.CommitAsync(cancellationToken);
    }

    // Editing an applied migration would leave databases that ran the old text silently different from new ones.
    private static void EnsureAppliedFilesUnchanged(IReadOnlyList<Migration> migrations, Dictionary<int, string> applied)
    {
        var problems = new StringBuilder();
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var recorded) && recorded != migration.Checksum)
            {
                problems.Append(
                    CultureInfo.InvariantCulture,
                    $" {FileName(migration)} was applied with checksum {recorded} but the file's checksum is now {migration.Checksum}.");
            }
        }

        if (problems.Length > 0)
        {
            throw new MigrationException(
                $"Applied migrations were edited; nothing was applied. Put the change in a new migration instead.{problems}");
        }
    }

    private static async Task ReleaseLockAsync(NpgsqlConnection connection)
    {
        // A broken connection has ended its session, and the lock with it.
        if (connection.State != ConnectionState.Open)
        {
            return;
        }

        try
        {
            await connection.ExecuteAsync(Command(Unlock, new { Key = AdvisoryLockKey }, CancellationToken.None));
        }
        catch (NpgsqlException)
        {
            // Same as above; and throwing here would hide the exception that brought us to this finally.
        }
    }

    private static CommandDefinition Command(
        string sql, object? parameters, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null) =>
        new(sql, parameters, transaction, commandTimeout: 0, cancellationToken: cancellationToken);

    private static string FileName(Migration migration) => $"{migration.Version:D4}_{migration.Name}.sql";
}
