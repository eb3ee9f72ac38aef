using System.Net;
using System.Text.Json;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, faults: a transaction outside Clavex (a stuck job, an operator's open psql session) holding the rows a
/// request must lock. PostgreSQL's lock_timeout, which PgDataSource sets on every connection, answers the request
/// with a 503 in that time; without it the request would wait for the whole command timeout (here two minutes, so
/// the test's own limit fails it). Nothing the refused request touched is used up.
/// </summary>
[NonParallelizable]
public class LockTimeoutTests : AdminTestBase
{
    private protected override Task<ClavexTestServer> CreateServerAsync() =>
        // A short lock_timeout (the operator's own Options win over Clavex's 5 s) and a command timeout far longer
        // than the test may take.
        ClavexTestServer.StartAsync(connectionString: new NpgsqlConnectionStringBuilder(PostgresFixture.ConnectionString)
        {
            Options = "-c lock_timeout=300",
            CommandTimeout = 120,
        }.ConnectionString);

    [Test]
    [CancelAfter(60_000)]
    public async Task A_refresh_behind_a_lock_held_elsewhere_is_a_503_in_the_lock_timeout_and_the_token_still_works_afterwards(CancellationToken cancellationToken)
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        using HttpClient jira = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, "openid offline_access"));
        JsonElement tokens = await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback), cancellationToken));
        string refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        HttpResponseMessage refused;
        await using (var holder = new NpgsqlConnection(PostgresFixture.ConnectionString))
        {
            await holder.OpenAsync(cancellationToken);
            await using NpgsqlTransaction transaction = await holder.BeginTransactionAsync(cancellationToken);
            await using (var lockRows = new NpgsqlCommand("SELECT count(*) FROM (SELECT 1 FROM refresh_tokens WHERE organization_id = $1 FOR UPDATE) AS locked", holder, transaction))
            {
                lockRows.Parameters.AddWithValue(org.Id);
                Assert.That(await lockRows.ExecuteScalarAsync(cancellationToken), Is.EqualTo(1L));
            }

            refused = await jira.PostAsync($"/{org.Slug}/token", Refresh(org, refreshToken), cancellationToken);
            await transaction.RollbackAsync(cancellationToken);
        }

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await JsonAsync(refused)).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
        HttpResponseMessage refreshed = await jira.PostAsync($"/{org.Slug}/token", Refresh(org, refreshToken), cancellationToken);
        Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the refused rotation changed nothing: the token was not used up");
    }

    private static FormUrlEncodedContent Refresh(TestOrganization org, string refreshToken) => Form(
        ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", "atlassian"), ("client_secret", org.ClientSecret));
}
