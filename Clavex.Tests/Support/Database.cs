using Dapper;
using Npgsql;

namespace Clavex.Tests.Support;

/// <summary>Small queries tests use to look at a database's schema.</summary>
internal static class Database
{
    /// <summary>An open connection to a new, empty database of the shared test cluster.</summary>
    public static async Task<NpgsqlConnection> OpenBlankAsync()
    {
        var connection = new NpgsqlConnection(await PostgresFixture.CreateDatabaseAsync("blank"));
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<bool> TableExistsAsync(NpgsqlConnection connection, string table) =>
        await connection.ExecuteScalarAsync<bool>("SELECT to_regclass(@Table) IS NOT NULL", new { Table = table });

    public static async Task<int[]> AppliedVersionsAsync(NpgsqlConnection connection) =>
        [.. await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version")];
}
