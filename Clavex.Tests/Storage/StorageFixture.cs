using System.Security.Cryptography;
using Clavex.Server.Storage;
using Clavex.Server.Storage.Migrations;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>
/// One <see cref="NpgsqlDataSource"/> over the shared migrated database for the repository tests. Each test
/// creates its own organisation, so tests never see each other's rows.
/// </summary>
[SetUpFixture]
public sealed class StorageFixture
{
    private static NpgsqlDataSource? s_dataSource;

    public static NpgsqlDataSource DataSource =>
        s_dataSource ?? throw new InvalidOperationException("The storage fixture has not started.");

    [OneTimeSetUp]
    public void Start() => s_dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_dataSource is not null)
        {
            await s_dataSource.DisposeAsync();
        }
    }

    /// <summary>A new organisation with a random slug; returns its id.</summary>
    public static Task<long> CreateOrganizationAsync() =>
        new PgOrganizationStore(DataSource).CreateAsync("t-" + RandomNumberGenerator.GetHexString(16, lowercase: true), "Test organisation", CancellationToken.None);

    /// <summary>A migrated database of its own, for tests that act on whole tables rather than one organisation.</summary>
    public static async Task<NpgsqlDataSource> CreateMigratedDatabaseAsync(string prefix)
    {
        var dataSource = NpgsqlDataSource.Create(await PostgresFixture.CreateDatabaseAsync(prefix));
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync();
        await new MigrationRunner(MigrationFiles.Locate()).ApplyAsync(connection);
        return dataSource;
    }
}
