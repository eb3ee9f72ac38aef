using System.Globalization;
using Clavex.Server.Storage.Migrations;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>What <c>/readyz</c> asks the database: that it answers, and has every migration this build ships.</summary>
public sealed class PgHealth(NpgsqlDataSource dataSource)
{
    private const string LatestMigration = "SELECT coalesce(max(version), 0) FROM schema_migrations";

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <summary>
    /// Whether the latest applied migration is at least the newest shipped one; a later one comes from a newer build
    /// during a rolling deploy.
    /// </summary>
    /// <exception cref="NpgsqlException">The database did not answer.</exception>
    public async Task<bool> IsMigratedAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = _dataSource.CreateCommand(LatestMigration);
        object? version = await command.ExecuteScalarAsync(cancellationToken);
        int expected = MigrationFiles.Read(MigrationFiles.Locate()).Max(m => m.Version);
        return Convert.ToInt32(version, CultureInfo.InvariantCulture) >= expected;
    }
}
