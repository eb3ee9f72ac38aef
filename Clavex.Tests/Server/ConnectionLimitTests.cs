using System.Globalization;
using System.Net;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, faults: PostgreSQL refusing connections because another client holds every slot (SQLSTATE 53300, here
/// a role's CONNECTION LIMIT, as max_connections would). Clavex fails fast with 503 and recovers by itself once
/// connections free up.
/// </summary>
[NonParallelizable]
public class ConnectionLimitTests : AdminTestBase
{
    private const int Limit = 4;

    private readonly string _role = "clavex_limited_" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(8, lowercase: true);

    private protected override async Task<ClavexTestServer> CreateServerAsync()
    {
        await SuperuserAsync(
            $"CREATE ROLE {_role} LOGIN CONNECTION LIMIT {Limit.ToString(CultureInfo.InvariantCulture)}",
            $"GRANT ALL ON ALL TABLES IN SCHEMA public TO {_role}",
            $"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {_role}");
        return await ClavexTestServer.StartAsync(connectionString: RoleConnectionString());
    }

    [OneTimeTearDown]
    public async Task DropRoleAsync()
    {
        await Server.DisposeAsync();
        await SuperuserAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{_role}'",
            $"DROP OWNED BY {_role}",
            $"DROP ROLE {_role}");
    }

    [Test]
    public async Task Every_connection_taken_by_another_client_is_a_fast_503_and_clavex_recovers_when_they_are_freed()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient jira = Server.CreateClient();

        // Clavex's idle connections go; another client takes every slot the role has left.
        Server.Services.GetRequiredService<NpgsqlDataSource>().Clear();
        var held = new List<NpgsqlConnection>();
        try
        {
            while (held.Count < Limit)
            {
                var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(RoleConnectionString()) { Pooling = false }.ConnectionString);
                try
                {
                    await connection.OpenAsync();
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
                {
                    await connection.DisposeAsync();
                    break;
                }

                held.Add(connection);
            }

            HttpResponseMessage refused = await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));

            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await refused.Content.ReadAsStringAsync());
            Assert.That((await JsonAsync(refused)).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        }
        finally
        {
            foreach (NpgsqlConnection connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        await WaitUntilHeldConnectionsEndedAsync(held.Count);
        HttpResponseMessage redeemed = await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        Assert.That(redeemed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await redeemed.Content.ReadAsStringAsync());
    }

    private string RoleConnectionString() =>
        new NpgsqlConnectionStringBuilder(PostgresFixture.ConnectionString) { Username = _role, Password = null, Timeout = 2 }.ConnectionString;

    /// <summary>A closed connection's backend exits a moment later; until then it still counts against the limit.</summary>
    private async Task WaitUntilHeldConnectionsEndedAsync(int held)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE usename = $1");
            command.Parameters.AddWithValue(_role);
            if ((long)(await command.ExecuteScalarAsync())! <= Limit - held)
            {
                return;
            }

            await Task.Delay(50);
        }
    }

    private static async Task SuperuserAsync(params string[] statements)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        foreach (string statement in statements)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(statement);
            await command.ExecuteNonQueryAsync();
        }
    }
}
