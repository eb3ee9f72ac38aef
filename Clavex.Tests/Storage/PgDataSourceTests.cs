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
}
