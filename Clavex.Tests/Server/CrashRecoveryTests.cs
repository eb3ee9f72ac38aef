using System.Net;
using System.Text.Json;
using Clavex.Tests.Storage;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, faults: Clavex killed with SIGKILL in the middle of sign-ins, code redemptions and refreshes, then
/// started again. Whatever a client was told before the kill still holds afterwards (its session, its unredeemed
/// code, its newest refresh token), and PostgreSQL holds nothing half-written: every write that a response depends
/// on is one statement, so it either happened whole or not at all.
/// </summary>
[NonParallelizable]
public class CrashRecoveryTests
{
    private const int Workers = 8;

    // Enough rounds that every worker is in the middle of something when the kill comes.
    private const int TokenResponsesBeforeKill = 120;

    private const string Scope = "openid profile email groups offline_access";

    [Test]
    [CancelAfter(180_000)]
    public async Task After_a_SIGKILL_under_load_what_clients_were_told_still_holds_and_nothing_is_half_written(CancellationToken cancellationToken)
    {
        await using NpgsqlDataSource database = await StorageFixture.CreateMigratedDatabaseAsync("crash");
        var baseUrl = new Uri($"http://127.0.0.1:{ClavexTestServer.FreePort()}/");
        TestOrganization org;
        await using (ClavexTestServer seeder = await ClavexTestServer.StartAsync(publicBaseUrl: baseUrl, connectionString: database.ConnectionString))
        {
            org = await seeder.SeedOrganizationAsync();
        }

        byte[] masterKey = ClavexTestServer.DefaultMasterKey.ToArray();
        var workers = new Worker[Workers];
        int inFlightAtKill;
        await using (ClavexProcess first = await ClavexProcess.StartAsync(baseUrl, database.ConnectionString, masterKey))
        {
            for (int i = 0; i < Workers; i++)
            {
                workers[i] = new Worker(baseUrl, org);
                await workers[i].SignInAsync(cancellationToken);
            }

            var load = new LoadState(TokenResponsesBeforeKill);
            Task[] running = workers.Select(w => Task.Run(() => w.RunAsync(load, cancellationToken), cancellationToken)).ToArray();
            await load.Reached.WaitAsync(cancellationToken);
            inFlightAtKill = load.Kill();
            await first.KillAsync();
            await Task.WhenAll(running);
            Assert.That(workers.Select(w => w.Failure), Is.All.Null, "before the kill every request succeeded");
        }

        await using ClavexProcess second = await ClavexProcess.StartAsync(baseUrl, database.ConnectionString, masterKey);

        Assert.That(inFlightAtKill, Is.GreaterThan(0), "the kill came while requests were being answered");
        foreach (Worker worker in workers)
        {
            await worker.CheckAfterRestartAsync(cancellationToken);
        }

        Assert.Multiple(() =>
        {
            Assert.That(workers.SelectMany(w => w.Problems), Is.Empty, second.Output);
            Assert.That(workers.Sum(w => w.CheckedFamilies), Is.GreaterThanOrEqualTo(Workers), "every worker had refresh tokens to check");
            Assert.That(workers.Sum(w => w.CheckedCodes), Is.GreaterThanOrEqualTo(Workers), "and codes it had not redeemed");
        });
        await AssertNothingHalfWrittenAsync(database, org.Id);
        TestContext.Out.WriteLine(
            $"{inFlightAtKill} requests of {Workers} workers in flight at the kill; {workers.Sum(w => w.CheckedCodes)} held codes and {workers.Sum(w => w.CheckedFamilies)} refresh-token families checked, {workers.Sum(w => w.RevokedByReuse)} revoked as reuse after a lost rotation");
    }

    private static async Task AssertNothingHalfWrittenAsync(NpgsqlDataSource database, long organizationId)
    {
        await using NpgsqlConnection connection = await database.OpenConnectionAsync();
        var org = new { OrganizationId = organizationId };
        long redeemedWithoutGrant = await connection.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM authorization_codes c
            WHERE c.organization_id = @OrganizationId AND c.redeemed_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.organization_id = c.organization_id AND g.grant_id = c.grant_id)
            """, org);
        long grantsWithoutToken = await connection.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM grants g
            WHERE g.organization_id = @OrganizationId AND g.revoked_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM refresh_tokens t
                              WHERE t.organization_id = g.organization_id AND t.grant_id = g.grant_id AND t.rotated_at IS NULL)
            """, org);
        long grantsWithTwoTokens = await connection.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM (
                SELECT grant_id FROM refresh_tokens
                WHERE organization_id = @OrganizationId AND rotated_at IS NULL
                GROUP BY grant_id HAVING count(*) > 1) AS doubled
            """, org);
        long grants = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM grants WHERE organization_id = @OrganizationId", org);

        Assert.Multiple(() =>
        {
            Assert.That(grants, Is.GreaterThan(Workers), "the load created grants");
            Assert.That(redeemedWithoutGrant, Is.Zero, "a redeemed code always has its grant");
            Assert.That(grantsWithoutToken, Is.Zero, "a live grant always has a refresh token that was not rotated: no rotation without its successor");
            Assert.That(grantsWithTwoTokens, Is.Zero, "and never two");
        });
    }

    /// <summary>Counts token responses and requests in flight, and signals once when the kill should come.</summary>
    private sealed class LoadState(int target)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;
        private int _inFlight;

        public Task Reached => _reached.Task;

        /// <summary>Set just before the kill: from then on a failed request is the kill's doing.</summary>
        public bool Killed { get; private set; }

        public void Begin() => Interlocked.Increment(ref _inFlight);

        public void End() => Interlocked.Decrement(ref _inFlight);

        public void CountTokenResponse()
        {
            if (Interlocked.Increment(ref _count) >= target)
            {
                _reached.TrySetResult();
            }
        }

        /// <summary>A worker failed before the kill: stop now, so the test reports why instead of waiting.</summary>
        public void Abort() => _reached.TrySetResult();

        /// <summary>Marks the kill as coming and returns how many requests are in flight at that moment.</summary>
        public int Kill()
        {
            Killed = true;
            return Volatile.Read(ref _inFlight);
        }
    }

    /// <summary>
    /// One relying party with one signed-in browser: authorizes, keeps every other code unredeemed, redeems the
    /// rest and refreshes each new family three times, remembering what the server last told it.
    /// </summary>
    private sealed class Worker(Uri baseUrl, TestOrganization org)
    {
        private readonly CookieContainer _cookies = new();
        private readonly List<string> _heldCodes = [];

        // Newest refresh token of each family; the in-flight one is the token a cut-off request presented.
        private readonly List<string> _families = [];
        private string? _inFlightToken;

        public string? Failure { get; private set; }

        public List<string> Problems { get; } = [];

        public int CheckedFamilies { get; private set; }

        public int CheckedCodes { get; private set; }

        public int RevokedByReuse { get; private set; }

        public async Task SignInAsync(CancellationToken cancellationToken)
        {
            using HttpClient browser = Client();
            Uri callback = await ServerTestBase.SignInAsync(browser, org, ServerTestBase.AuthorizeUrl(org, Scope));
            cancellationToken.ThrowIfCancellationRequested();
            _heldCodes.Add(ServerTestBase.Query(callback)["code"]);
        }

        public async Task RunAsync(LoadState load, CancellationToken cancellationToken)
        {
            using HttpClient client = Client();
            try
            {
                for (int round = 0; ; round++)
                {
                    string code = await AuthorizeAsync(client, load, cancellationToken);
                    if (round % 2 == 0)
                    {
                        _heldCodes.Add(code);
                        continue;
                    }

                    JsonElement tokens = await TokenAsync(client, Redeem(code), load, cancellationToken);
                    _families.Add(tokens.GetProperty("refresh_token").GetString()!);
                    for (int refresh = 0; refresh < 3; refresh++)
                    {
                        int family = _families.Count - 1;
                        _inFlightToken = _families[family];
                        tokens = await TokenAsync(client, Refresh(_inFlightToken), load, cancellationToken);
                        _families[family] = tokens.GetProperty("refresh_token").GetString()!;
                        _inFlightToken = null;
                    }
                }
            }
            catch (HttpRequestException) when (load.Killed)
            {
                // The kill cut this request off (every worker runs until it does); whatever the request was doing may or
                // may not have been committed, which CheckAfterRestartAsync allows for.
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or KeyNotFoundException)
            {
                Failure = e.Message;
                load.Abort();
            }
        }

        public async Task CheckAfterRestartAsync(CancellationToken cancellationToken)
        {
            using HttpClient client = Client();
            HttpResponseMessage authorize = await client.GetAsync(ServerTestBase.AuthorizeUrl(org, Scope), cancellationToken);
            if (!IsCallback(authorize))
            {
                Problems.Add($"the session signed in before the kill is gone: authorize answered {(int)authorize.StatusCode}");
            }

            foreach (string code in _heldCodes)
            {
                HttpResponseMessage redeemed = await client.PostAsync($"/{org.Slug}/token", Redeem(code), cancellationToken);
                CheckedCodes++;
                if (redeemed.StatusCode != HttpStatusCode.OK)
                {
                    Problems.Add($"a code issued before the kill and never redeemed failed: {(int)redeemed.StatusCode} {await redeemed.Content.ReadAsStringAsync(cancellationToken)}");
                }
            }

            foreach (string token in _families)
            {
                HttpResponseMessage refreshed = await client.PostAsync($"/{org.Slug}/token", Refresh(token), cancellationToken);
                CheckedFamilies++;
                string body = await refreshed.Content.ReadAsStringAsync(cancellationToken);
                bool ambiguous = token == _inFlightToken;
                if (refreshed.StatusCode == HttpStatusCode.OK)
                {
                    continue;
                }

                // A refresh the kill cut off may have rotated the token before the response was lost; presenting
                // the old one again is then reuse, and RFC 9700 §4.14.2 has the family revoked. Nothing else may fail.
                if (ambiguous && refreshed.StatusCode == HttpStatusCode.BadRequest && body.Contains("\"invalid_grant\"", StringComparison.Ordinal))
                {
                    RevokedByReuse++;
                }
                else
                {
                    Problems.Add($"the newest refresh token of a family{(ambiguous ? " (cut off)" : string.Empty)} failed: {(int)refreshed.StatusCode} {body}");
                }
            }
        }

        // Signed in, authorize sends the browser straight back to the callback with a code.
        private static bool IsCallback(HttpResponseMessage response) =>
            response.StatusCode == HttpStatusCode.SeeOther
            && response.Headers.Location?.AbsoluteUri.StartsWith(ServerTestBase.JiraCallback + "?code=", StringComparison.Ordinal) == true;

        private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = _cookies, UseCookies = true })
        {
            BaseAddress = baseUrl,
        };

        private async Task<string> AuthorizeAsync(HttpClient client, LoadState load, CancellationToken cancellationToken)
        {
            load.Begin();
            using HttpResponseMessage response = await client.GetAsync(ServerTestBase.AuthorizeUrl(org, Scope), cancellationToken);
            load.End();
            return IsCallback(response)
                ? ServerTestBase.Query(response.Headers.Location!)["code"]
                : throw new InvalidOperationException($"authorize answered {(int)response.StatusCode} {response.Headers.Location}");
        }

        private async Task<JsonElement> TokenAsync(HttpClient client, FormUrlEncodedContent form, LoadState load, CancellationToken cancellationToken)
        {
            load.Begin();
            using HttpResponseMessage response = await client.PostAsync($"/{org.Slug}/token", form, cancellationToken);
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            load.End();
            load.CountTokenResponse();
            return response.StatusCode == HttpStatusCode.OK
                ? JsonDocument.Parse(body).RootElement.Clone()
                : throw new InvalidOperationException($"the token endpoint answered {(int)response.StatusCode} {body}");
        }

        private FormUrlEncodedContent Redeem(string code) => ServerTestBase.Form(
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", ServerTestBase.JiraCallback),
            ("client_id", "atlassian"), ("client_secret", org.ClientSecret));

        private FormUrlEncodedContent Refresh(string token) => ServerTestBase.Form(
            ("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", "atlassian"), ("client_secret", org.ClientSecret));
    }
}
