using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Tests.Storage;

public class PgDataSourceTests
{
    [Test]
    public void The_pool_skips_the_reset_and_prepares_statements_by_default()
    {
        using NpgsqlDataSource dataSource = PgDataSource.Create("Host=127.0.0.1;Database=clavex");
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        Assert.That(settings.NoResetOnClose, Is.True);
        Assert.That(settings.MaxAutoPrepare, Is.EqualTo(PgDataSource.MaxAutoPrepare));
        Assert.That(settings.AutoPrepareMinUsages, Is.EqualTo(2));
    }

    [Test]
    public void An_operators_explicit_setting_wins()
    {
        using NpgsqlDataSource dataSource = PgDataSource.Create("Host=127.0.0.1;Database=clavex;No Reset On Close=false;Max Auto Prepare=0");
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        Assert.That(settings.NoResetOnClose, Is.False);
        Assert.That(settings.MaxAutoPrepare, Is.Zero);
    }

    [Test]
    public void Clavex_connections_carry_the_server_side_timeouts_ahead_of_the_operators_options()
    {
        using NpgsqlDataSource plain = PgDataSource.Create("Host=127.0.0.1;Database=clavex");
        using NpgsqlDataSource withOptions = PgDataSource.Create("Host=127.0.0.1;Database=clavex;Options=-c lock_timeout=250 -c search_path=idp");
        using NpgsqlDataSource export = PgDataSource.Create("Host=127.0.0.1;Database=clavex", serverTimeouts: false);

        Assert.That(new NpgsqlConnectionStringBuilder(plain.ConnectionString).Options,
            Is.EqualTo("-c statement_timeout=20000 -c lock_timeout=5000 -c idle_in_transaction_session_timeout=30000"));
        Assert.That(new NpgsqlConnectionStringBuilder(withOptions.ConnectionString).Options,
            Is.EqualTo(PgDataSource.ServerTimeouts + " -c lock_timeout=250 -c search_path=idp"), "the operator's come last, so they win");
        Assert.That(new NpgsqlConnectionStringBuilder(export.ConnectionString).Options, Is.Null.Or.Empty);
    }

    [Test]
    public async Task PostgreSQL_applies_the_timeouts_and_an_operators_own_value_wins()
    {
        await using NpgsqlDataSource defaults = PgDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlDataSource overridden = PgDataSource.Create(PostgresFixture.ConnectionString + ";Options=-c lock_timeout=250");

        Assert.That(await ShowAsync(defaults, "statement_timeout"), Is.EqualTo("20s"));
        Assert.That(await ShowAsync(defaults, "lock_timeout"), Is.EqualTo("5s"));
        Assert.That(await ShowAsync(defaults, "idle_in_transaction_session_timeout"), Is.EqualTo("30s"));
        Assert.That(await ShowAsync(overridden, "lock_timeout"), Is.EqualTo("250ms"));
    }

    [Test]
    public async Task The_migrations_run_without_the_timeouts_whatever_the_options_say()
    {
        await using NpgsqlDataSource database = await StorageFixture.CreateMigratedDatabaseAsync("notimeouts");
        await using var connection = new NpgsqlConnection(database.ConnectionString + ";Options=-c lock_timeout=250 -c statement_timeout=250 -c idle_in_transaction_session_timeout=250");

        await new Clavex.Server.Storage.Migrations.MigrationRunner(Clavex.Server.Storage.Migrations.MigrationFiles.Locate()).ApplyAsync(connection);

        await using var show = new NpgsqlCommand("SELECT current_setting('lock_timeout') || ' ' || current_setting('statement_timeout') || ' ' || current_setting('idle_in_transaction_session_timeout')", connection);
        Assert.That(await show.ExecuteScalarAsync(), Is.EqualTo("0 0 0"), "the advisory lock may wait behind another instance's migration");
    }

    private static async Task<string?> ShowAsync(NpgsqlDataSource dataSource, string setting)
    {
        await using NpgsqlCommand command = dataSource.CreateCommand("SHOW " + setting);
        return (string?)await command.ExecuteScalarAsync();
    }
}
