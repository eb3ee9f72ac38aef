using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Clavex.Server.Storage;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 6, consistency across instances: two instances on one database, as behind a load balancer. Changes are made
/// through the first (<c>Server</c>) and must be seen by the second within a second, although the second serves
/// organisations, clients and keys from memory.
/// </summary>
public sealed class CacheConsistencyTests : AdminTestBase
{
    private const string RefusedJson = """{"error":"invalid_client","error_description":"Client authentication failed."}""";

    /// <summary>The bound: an admin change is in force on every instance within a second.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private ClavexTestServer _other = null!;

    [OneTimeSetUp]
    public async Task StartSecondInstanceAsync()
    {
        _other = await ClavexTestServer.StartAsync(Server.Clock, publicBaseUrl: Server.BaseUrl);
        await ListeningAsync(Server);
        await ListeningAsync(_other);
    }

    [OneTimeTearDown]
    public async Task StopSecondInstanceAsync() => await _other.DisposeAsync();

    [TestCase("PATCH", """{"enabled":false}""", HttpStatusCode.OK, TestName = "A_client_disabled_through_one_instance_is_refused_by_the_other_within_a_second")]
    [TestCase("DELETE", null, HttpStatusCode.NoContent, TestName = "A_client_deleted_through_one_instance_is_refused_by_the_other_within_a_second")]
    public async Task A_client_change_through_one_instance_is_refused_by_the_other_within_a_second(string method, string? body, HttpStatusCode answer)
    {
        (TestOrganization org, string secret) = await ServiceClientAsync();
        await WarmAsync(_other, org, secret);

        await AdminJsonAsync(new HttpMethod(method), $"/api/v1/organizations/{org.Slug}/clients/reports", body, answer);

        AssertRefused(await PollAsync(_other, org, secret, refused: true));
    }

    [Test]
    public async Task A_secret_rotation_through_one_instance_is_in_force_on_the_other_within_a_second()
    {
        (TestOrganization org, string oldSecret) = await ServiceClientAsync();
        await WarmAsync(_other, org, oldSecret);

        JsonElement rotated = await AdminJsonAsync(
            HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients/reports/secrets", """{"previous_secret_expires_in":0}""", HttpStatusCode.Created);
        string newSecret = rotated.GetProperty("client_secret").GetString()!;

        AssertRefused(await PollAsync(_other, org, oldSecret, refused: true));
        await AssertTokenAsync(_other, org, newSecret);
    }

    [Test]
    public async Task An_organisation_renamed_through_one_instance_is_shown_renamed_by_the_other_within_a_second()
    {
        TestOrganization org = await NewOrganizationAsync();
        var directory = _other.Services.GetRequiredService<Clavex.Server.Storage.OrganizationDirectory>();
        var warmUp = Stopwatch.StartNew();
        while (!directory.IsCached(org.Slug) && warmUp.Elapsed < TimeSpan.FromSeconds(5))
        {
            Assert.That(await LoginPageAsync(_other, org), Does.Contain($"Acme {org.Slug}"));
        }

        Assert.That(directory.IsCached(org.Slug), Is.True, "the other instance does not cache the organisation");

        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"display_name":"Renamed Corp"}""", HttpStatusCode.OK);

        var clock = Stopwatch.StartNew();
        string page;
        while (!(page = await LoginPageAsync(_other, org)).Contains("Renamed Corp", StringComparison.Ordinal) && clock.Elapsed < Bound)
        {
            await Task.Delay(20);
        }

        Assert.That(page, Does.Contain("Renamed Corp"), $"still the old name after {clock.ElapsedMilliseconds} ms");
        Assert.That(page, Does.Not.Contain($"Acme {org.Slug}"));
    }

    [Test]
    public async Task A_signing_key_change_is_published_by_the_other_instance_within_a_second()
    {
        TestOrganization org = await NewOrganizationAsync();
        var warmUp = Stopwatch.StartNew();
        while (await RoundTripsAsync(_other, $"/{org.Slug}/jwks") != 0 && warmUp.Elapsed < TimeSpan.FromSeconds(5))
        {
            // A read that overlapped the set-up's own notifications is used once and not cached; read again.
        }

        Assert.That(await RoundTripsAsync(_other, $"/{org.Slug}/jwks"), Is.Zero, "the other instance does not cache the keys");
        Assert.That(await KidsAsync(_other, org), Has.Count.EqualTo(1));

        // A next key (the current key's public half under another kid), announced in its transaction as the contract says.
        await using (var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString))
        await using (NpgsqlConnection connection = await dataSource.OpenConnectionAsync())
        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO signing_keys (organization_id, kid, algorithm, state, public_jwk, private_key, created_at, activates_at)
                SELECT organization_id, 'next-key', algorithm, 'next', jsonb_set(public_jwk, '{kid}', '"next-key"'), private_key, created_at,
                       created_at + interval '1 day'
                FROM signing_keys WHERE organization_id = $1 AND state = 'current'
                """,
                connection,
                transaction);
            insert.Parameters.AddWithValue(org.Id);
            Assert.That(await insert.ExecuteNonQueryAsync(), Is.EqualTo(1));
            await CacheChanges.NotifyAsync(connection, CacheChanges.SigningKeys(org.Id), CancellationToken.None, transaction);
            await transaction.CommitAsync();
        }

        var clock = Stopwatch.StartNew();
        List<string> kids;
        while ((kids = await KidsAsync(_other, org)).Count == 1 && clock.Elapsed < Bound)
        {
            await Task.Delay(20);
        }

        Assert.That(kids, Has.Count.EqualTo(2).And.Contains("next-key"), $"after {clock.ElapsedMilliseconds} ms");
    }

    [Test]
    public async Task The_listener_reconnects_after_its_connection_is_killed_and_still_invalidates()
    {
        (TestOrganization org, string secret) = await ServiceClientAsync();
        CacheChangeListener listener = _other.Services.GetRequiredService<CacheChangeListener>();
        int killed = listener.ListeningProcessId;

        Assert.That(await TerminateAsync(killed), Is.True);
        int listening = await ListeningAsync(_other, killed);
        await WarmAsync(_other, org, secret);
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}/clients/reports", """{"enabled":false}""", HttpStatusCode.OK);

        AssertRefused(await PollAsync(_other, org, secret, refused: true));
        Assert.That(listener.ListeningProcessId, Is.EqualTo(listening));
    }

    [Test]
    public async Task A_change_missed_while_the_listener_was_disconnected_is_seen_once_it_reconnects()
    {
        (TestOrganization org, string secret) = await ServiceClientAsync();
        await WarmAsync(_other, org, secret);

        // Written behind Clavex's back, with no notification: the cache serves the old client...
        await DisableWithoutNotificationAsync(org);

        await AssertTokenAsync(_other, org, secret);

        // ...until the listener reconnects, which clears every cache because it cannot know what it missed.
        CacheChangeListener listener = _other.Services.GetRequiredService<CacheChangeListener>();
        int killed = listener.ListeningProcessId;
        Assert.That(await TerminateAsync(killed), Is.True);
        await ListeningAsync(_other, killed);

        AssertRefused(await TokenAsync(_other, org, secret));
    }

    [Test]
    public async Task Clearing_every_cache_as_the_periodic_refresh_does_drops_what_no_notification_announced()
    {
        (TestOrganization org, string secret) = await ServiceClientAsync();
        await WarmAsync(_other, org, secret);
        await DisableWithoutNotificationAsync(org);

        await AssertTokenAsync(_other, org, secret);
        _other.Services.GetRequiredService<CacheChangeListener>().ClearAll();

        AssertRefused(await TokenAsync(_other, org, secret));
        Assert.That(CacheChangeListener.RefreshInterval, Is.EqualTo(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public async Task A_token_request_with_warm_caches_does_not_read_the_client_from_the_database()
    {
        (TestOrganization org, string secret) = await ServiceClientAsync();
        await WarmAsync(_other, org, secret);

        int warm = await WarmRoundTripsAsync(org, secret);
        _other.Services.GetRequiredService<CachingClientStore>().Clear();
        int uncached = await RoundTripsAsync(_other, org, secret);
        int warmAgain = await WarmRoundTripsAsync(org, secret);

        // client_credentials: organisation, client and keys from memory; nothing is written on the request's path.
        Assert.That(warm, Is.Zero);
        Assert.That(uncached, Is.EqualTo(1), "the client and its secrets are one round trip");
        Assert.That(warmAgain, Is.Zero);
    }

    [Test]
    public async Task Redeeming_a_code_with_warm_caches_reads_no_client()
    {
        TestOrganization org = await NewOrganizationAsync();
        CachingClientStore clients = _other.Services.GetRequiredService<CachingClientStore>();
        int warm = await RedeemRoundTripsAsync(org, clients, uncached: false);
        int warmAgain = await RedeemRoundTripsAsync(org, clients, uncached: false);
        Assert.That(clients.IsCached(org.Id, "atlassian"), Is.True);
        int uncached = await RedeemRoundTripsAsync(org, clients, uncached: true);

        TestContext.Out.WriteLine($"code redemption: {warmAgain} round trips with the client cached, {uncached} without");
        Assert.That(warmAgain, Is.EqualTo(1), "consume the code, store the grant and read the user in one statement");
        Assert.That(uncached, Is.EqualTo(warmAgain + 1));
        Assert.That(warm, Is.GreaterThanOrEqualTo(warmAgain));
    }

    private async Task<int> RedeemRoundTripsAsync(TestOrganization org, CachingClientStore clients, bool uncached)
    {
        using HttpClient browser = _other.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        if (uncached)
        {
            // As before issue 6: the client read from the database on every token request.
            clients.Clear();
        }

        return await RoundTripsAsync(async traceParent =>
        {
            using HttpClient jira = _other.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token") { Content = RedeemForm(org, callback) };
            request.Headers.Add("traceparent", traceParent);
            HttpResponseMessage response = await jira.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        });
    }

    /// <summary>
    /// Round trips of a token request with warm caches, measured a second time if the first happened to follow the
    /// listener's periodic refresh (every 60 s of real time in tests), which empties every cache.
    /// </summary>
    private async Task<int> WarmRoundTripsAsync(TestOrganization org, string secret)
    {
        int roundTrips = await RoundTripsAsync(_other, org, secret);
        return roundTrips == 0 ? 0 : await RoundTripsAsync(_other, org, secret);
    }

    /// <summary>An organisation with a client_credentials client "reports" (secret in the body); returns its secret.</summary>
    private async Task<(TestOrganization Organization, string Secret)> ServiceClientAsync()
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonElement client = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"reports","grant_types":["client_credentials"],"scopes":["reports.read"],"token_endpoint_auth_method":"client_secret_post"}""",
            HttpStatusCode.Created);
        return (org, client.GetProperty("client_secret").GetString()!);
    }

    private static async Task<(HttpStatusCode Status, string Body)> TokenAsync(ClavexTestServer server, TestOrganization org, string secret, string? traceParent = null)
    {
        using HttpClient client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token")
        {
            Content = Form(("grant_type", "client_credentials"), ("client_id", "reports"), ("client_secret", secret)),
        };
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        HttpResponseMessage response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Token requests until the instance has cached the client: a load that overlaps any invalidation (such as the
    /// notifications of the set-up itself) is used once and not cached.
    /// </summary>
    private static async Task WarmAsync(ClavexTestServer server, TestOrganization org, string secret)
    {
        CachingClientStore clients = server.Services.GetRequiredService<CachingClientStore>();
        var clock = Stopwatch.StartNew();
        do
        {
            await AssertTokenAsync(server, org, secret);
        }
        while (!clients.IsCached(org.Id, "reports") && clock.Elapsed < TimeSpan.FromSeconds(5));

        Assert.That(clients.IsCached(org.Id, "reports"), Is.True, "the instance does not cache the client");
    }

    private static async Task AssertTokenAsync(ClavexTestServer server, TestOrganization org, string secret)
    {
        (HttpStatusCode status, string body) = await TokenAsync(server, org, secret);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
    }

    /// <summary>
    /// Token requests every 20 ms until they are (or are no longer) refused, for at most the bound: the poll
    /// measures the bound, it does not wait for correctness.
    /// </summary>
    private static async Task<(HttpStatusCode Status, string Body)> PollAsync(ClavexTestServer server, TestOrganization org, string secret, bool refused)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            (HttpStatusCode status, string body) = await TokenAsync(server, org, secret);
            if ((status != HttpStatusCode.OK) == refused || clock.Elapsed >= Bound)
            {
                Assert.That(clock.Elapsed, Is.LessThan(Bound), $"the other instance still answered {(int)status} {body}");
                return (status, body);
            }

            await Task.Delay(20);
        }
    }

    private static async Task<string> LoginPageAsync(ClavexTestServer server, TestOrganization org)
    {
        using HttpClient browser = server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        string html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        return html;
    }

    private static async Task<List<string>> KidsAsync(ClavexTestServer server, TestOrganization org)
    {
        using HttpClient client = server.CreateClient();
        using JsonDocument jwks = JsonDocument.Parse(await client.GetStringAsync($"/{org.Slug}/jwks"));
        var kids = new List<string>();
        foreach (JsonElement key in jwks.RootElement.GetProperty("keys").EnumerateArray())
        {
            kids.Add(key.GetProperty("kid").GetString()!);
        }

        return kids;
    }

    private static async Task<bool> TerminateAsync(int processId)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand terminate = dataSource.CreateCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND application_name = $2");
        terminate.Parameters.AddWithValue(processId);
        terminate.Parameters.AddWithValue(CacheChangeListener.ApplicationName);
        return await terminate.ExecuteScalarAsync() is true;
    }

    /// <summary>Waits (bounded) until the instance's listener listens on a connection other than <paramref name="previous"/>.</summary>
    private static async Task<int> ListeningAsync(ClavexTestServer server, int previous = 0)
    {
        CacheChangeListener listener = server.Services.GetRequiredService<CacheChangeListener>();
        var clock = Stopwatch.StartNew();
        int processId;
        while (((processId = listener.ListeningProcessId) == 0 || processId == previous) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.That(processId, Is.Not.Zero.And.Not.EqualTo(previous), "the cache listener is not listening");
        return processId;
    }

    /// <summary>The database commands one token request ran, counted from Npgsql's traces of that request alone.</summary>
    private static Task<int> RoundTripsAsync(ClavexTestServer server, TestOrganization org, string secret) =>
        RoundTripsAsync(async traceParent =>
        {
            (HttpStatusCode status, string body) = await TokenAsync(server, org, secret, traceParent);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        });

    private static Task<int> RoundTripsAsync(ClavexTestServer server, string path) =>
        RoundTripsAsync(async traceParent =>
        {
            using HttpClient client = server.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("traceparent", traceParent);
            HttpResponseMessage response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        });

    /// <summary>Disables the "reports" client in SQL behind Clavex's back: no notification reaches any cache.</summary>
    private static async Task DisableWithoutNotificationAsync(TestOrganization org)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand disable = dataSource.CreateCommand("UPDATE clients SET enabled = false WHERE organization_id = $1 AND client_id = 'reports'");
        disable.Parameters.AddWithValue(org.Id);
        Assert.That(await disable.ExecuteNonQueryAsync(), Is.EqualTo(1));
    }

    /// <summary>The token request was refused with the exact invalid_client answer.</summary>
    private static void AssertRefused((HttpStatusCode Status, string Body) answer)
    {
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(answer.Body, Is.EqualTo(RefusedJson));
    }

    private static Task<int> RoundTripsAsync(Func<string, Task> send) => DatabaseCommands.CountAsync(send);
}
