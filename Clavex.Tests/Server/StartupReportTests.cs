using Clavex.Server.Hosting;
using Clavex.Server.Storage;
using Clavex.Tests.Storage;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>Issue 15: start-up logs the version, the public base URL, the organisations served and where the admin API and metrics listen.</summary>
public class StartupReportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Start_up_logs_the_version_base_url_listen_addresses_organisations_admin_api_and_metrics()
    {
        await using NpgsqlDataSource database = await StorageFixture.CreateMigratedDatabaseAsync("startup");
        var store = new PgOrganizationStore(database);
        await store.CreateAsync("acme", "Acme", CancellationToken.None);
        await store.CreateAsync("globex", "Globex", CancellationToken.None);
        var logs = new LogCapture();

        await using ClavexTestServer server = await ClavexTestServer.StartAsync(connectionString: database.ConnectionString, logs: logs);

        string baseUrl = server.BaseUrl.AbsoluteUri.TrimEnd('/');
        Assert.That(await logs.WaitForAsync("Serving ", Patience), Is.EqualTo($"Serving 2 organisation(s): acme ({baseUrl}/acme), globex ({baseUrl}/globex)"));
        string started = await logs.WaitForAsync("started:", Patience);
        Assert.That(started, Is.EqualTo($"Clavex {ClavexCommand.Version} started: public base URL {baseUrl}, listening on {server.BaseUrl.AbsoluteUri.TrimEnd('/')}"));
        Assert.That(ClavexCommand.Version, Is.Not.EqualTo("unknown"));
        Assert.That(await logs.WaitForAsync("Admin API at", Patience),
            Is.EqualTo($"Admin API at {baseUrl}/api/v1; metrics: /metrics on the main port, from this machine (loopback) only"));
    }

    [Test]
    public async Task Without_organisations_start_up_says_how_to_create_one_and_more_than_twenty_are_counted()
    {
        await using NpgsqlDataSource database = await StorageFixture.CreateMigratedDatabaseAsync("startup");
        var empty = new LogCapture();
        await using (ClavexTestServer server = await ClavexTestServer.StartAsync(connectionString: database.ConnectionString, logs: empty))
        {
            Assert.That(await empty.WaitForAsync("Serving ", Patience), Is.EqualTo("Serving 0 organisation(s): none yet: create one with POST /api/v1/organizations"));
        }

        var store = new PgOrganizationStore(database);
        for (int i = 0; i < StartupReport.MaxListed + 3; i++)
        {
            await store.CreateAsync($"org{i:D2}", $"Org {i}", CancellationToken.None);
        }

        var many = new LogCapture();
        await using ClavexTestServer again = await ClavexTestServer.StartAsync(connectionString: database.ConnectionString, logs: many);
        string line = await many.WaitForAsync("Serving ", Patience);
        Assert.That(line, Does.StartWith("Serving 23 organisation(s): org00 (").And.EndWith("org19 (" + again.BaseUrl.AbsoluteUri.TrimEnd('/') + "/org19) and 3 more"));
        Assert.That(line, Does.Not.Contain("org20"));
    }
}
