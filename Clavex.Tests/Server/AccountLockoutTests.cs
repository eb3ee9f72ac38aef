using System.Net;
using System.Text.Json;
using Clavex.Core.Interaction;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>Issue 6: temporary lockout after consecutive wrong passwords, over HTTP through the real login page.</summary>
public class AccountLockoutTests : AdminTestBase
{
    private const string WrongPassword = "not alice's password";

    [Test]
    public async Task Consecutive_wrong_passwords_lock_the_account_and_the_right_one_is_refused_like_a_wrong_one()
    {
        TestOrganization org = await NewOrganizationAsync();
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures);

        HttpResponseMessage locked = await TryPasswordAsync(org, org.AlicePassword);

        Assert.That(locked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await locked.Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.IncorrectCredentials));
        string[] expected = [.. Enumerable.Repeat("wrong_password", LockoutPolicy.MaxConsecutiveFailures), "locked"];
        Assert.That(await LoginFailureReasonsAsync(org.Id, expected.Length), Is.EqualTo(expected));
        Assert.That(await CountEventsAsync(org.Id, "login.succeeded"), Is.Zero, "no sign-in while locked");
    }

    [Test]
    public async Task The_admin_api_shows_the_lock_and_it_ends_after_the_lock_duration()
    {
        TestOrganization org = await NewOrganizationAsync();
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures);
        DateTimeOffset lockedUntil = Server.Clock.GetUtcNow() + LockoutPolicy.LockDuration;

        JsonElement user = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(user.GetProperty("locked_until").GetDateTimeOffset(), Is.EqualTo(lockedUntil).Within(TimeSpan.FromSeconds(1)));
        Assert.That(await AuditDetailAsync(org.Id, "login.locked", "failures"), Is.EqualTo("10"));

        Server.Clock.Advance(LockoutPolicy.LockDuration - TimeSpan.FromSeconds(5));
        Assert.That((await TryPasswordAsync(org, org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "still locked");
        Server.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.That((await TryPasswordAsync(org, org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "the lock has ended");

        user = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(user.TryGetProperty("locked_until", out _), Is.False);
        Assert.That(await FailedLoginCountAsync(org), Is.Zero);
    }

    [Test]
    public async Task A_right_password_resets_the_count_of_consecutive_failures()
    {
        TestOrganization org = await NewOrganizationAsync();
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures - 1);
        Assert.That(await FailedLoginCountAsync(org), Is.EqualTo(LockoutPolicy.MaxConsecutiveFailures - 1));

        Assert.That((await TryPasswordAsync(org, org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(await FailedLoginCountAsync(org), Is.Zero);
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures - 1);

        Assert.That((await TryPasswordAsync(org, org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "9 + 9 failures with a success between do not lock");
        string[] reasons = await LoginFailureReasonsAsync(org.Id, 2 * (LockoutPolicy.MaxConsecutiveFailures - 1));
        Assert.That(reasons, Is.All.EqualTo("wrong_password"));
    }

    [Test]
    public async Task An_admin_can_unlock_a_locked_user_at_once()
    {
        TestOrganization org = await NewOrganizationAsync();
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures);

        HttpResponseMessage unlocked = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/unlock");

        Assert.That(unlocked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await TryPasswordAsync(org, org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(await AuditDetailAsync(org.Id, "admin.user.unlocked", "actor"), Is.EqualTo("admin"));
        string before = (await AuditDetailAsync(org.Id, "admin.user.unlocked", "before"))!;
        Assert.That(JsonDocument.Parse(before).RootElement.GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(await AuditDetailAsync(org.Id, "admin.user.unlocked", "after"), Is.EqualTo("""{"locked_until":null}"""));
    }

    [Test]
    public async Task Unlocking_an_unknown_user_is_404()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/u_nobody/unlock");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("not_found"));
    }

    [Test]
    public async Task Unknown_user_wrong_password_locked_and_disabled_answer_after_the_same_database_commands()
    {
        // Review findings (enumeration and right-password detection by timing): every failure must do the same
        // database work before it is answered, the counting of a wrong password included.
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", """{"username":"bob","password":"bob's long password"}""", HttpStatusCode.Created);
        JsonElement carol = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", """{"username":"carol","password":"carol's long password"}""", HttpStatusCode.Created);
        Assert.That((await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{carol.GetProperty("sub").GetString()}/disable")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures);
        await LoginCommandsAsync(org, "nobody", WrongPassword); // warms the caches of organisation, client and keys

        IReadOnlyList<string> unknown = await LoginCommandsAsync(org, "nobody", WrongPassword);
        IReadOnlyList<string> wrong = await LoginCommandsAsync(org, "bob", WrongPassword);
        IReadOnlyList<string> locked = await LoginCommandsAsync(org, "alice", org.AlicePassword);
        IReadOnlyList<string> disabled = await LoginCommandsAsync(org, "carol", "carol's long password");

        Assert.That(unknown, Has.Count.EqualTo(2), "the username lookup and the failure's one UPDATE:\n" + string.Join("\n---\n", unknown));
        Assert.That(unknown[1], Does.Contain("synchronous_commit = off").And.Contain("COMMIT"), "one round trip, committed without waiting for the WAL flush");
        Assert.That(wrong, Is.EqualTo(unknown), string.Join("\n---\n", wrong));
        Assert.That(locked, Is.EqualTo(unknown), string.Join("\n---\n", locked));
        Assert.That(disabled, Is.EqualTo(unknown), string.Join("\n---\n", disabled));
        Assert.That(await FailedLoginCountAsync(org, "bob"), Is.EqualTo(1), "the wrong password was counted before the answer");
        Assert.That(await FailedLoginCountAsync(org, "carol"), Is.Zero, "a disabled user's sign-in is not counted");
        string[] reasons = await LoginFailureReasonsAsync(org.Id, LockoutPolicy.MaxConsecutiveFailures + 5);
        Assert.That(reasons[^4..], Is.EqualTo(new[] { "unknown_user", "wrong_password", "locked", "disabled" }));
    }

    [Test]
    public async Task Concurrent_wrong_passwords_count_no_further_than_the_lock()
    {
        // Review finding: with the count applied behind a queue, parallel guesses all read the account as unlocked
        // and had their passwords checked, without limit.
        const int Attempts = 2 * LockoutPolicy.MaxConsecutiveFailures;
        TestOrganization org = await NewOrganizationAsync();
        var browsers = new List<HttpClient>();
        var forms = new List<HtmlForm>();
        try
        {
            for (int i = 0; i < Attempts; i++)
            {
                HttpClient browser = Attacker();
                browsers.Add(browser);
                HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
                forms.Add(HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login"));
            }

            HttpResponseMessage[] responses = await Task.WhenAll(browsers.Select((browser, i) =>
                browser.PostAsync(forms[i].Action, forms[i].With("username", "alice").With("password", WrongPassword).ToContent())));

            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }

        string[] reasons = await LoginFailureReasonsAsync(org.Id, Attempts);
        Assert.That(reasons, Has.Length.EqualTo(Attempts));
        Assert.That(reasons.Count(r => r == "wrong_password"), Is.EqualTo(LockoutPolicy.MaxConsecutiveFailures), string.Join(", ", reasons));
        Assert.That(reasons.Count(r => r == "locked"), Is.EqualTo(Attempts - LockoutPolicy.MaxConsecutiveFailures), string.Join(", ", reasons));
        Assert.That(await CountEventsAsync(org.Id, "login.locked"), Is.EqualTo(1));
        Assert.That(await FailedLoginCountAsync(org), Is.Zero, "the count starts again with the lock and nothing counted past it");
        JsonElement user = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(user.GetProperty("locked_until").GetDateTimeOffset(), Is.EqualTo(Server.Clock.GetUtcNow() + LockoutPolicy.LockDuration).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task A_wrong_password_read_as_unlocked_whose_update_finds_the_lock_is_not_counted()
    {
        // The lookup read "unlocked", then a concurrent 10th failure locked the user before this attempt's UPDATE.
        TestOrganization org = await NewOrganizationAsync();
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures);
        var users = Server.Services.GetRequiredService<PgUserStore>();
        DateTimeOffset now = Server.Clock.GetUtcNow();

        FailedSignIn recorded = await users.RecordFailedSignInAsync(
            org.Id, "ALICE", count: true, LockoutPolicy.MaxConsecutiveFailures, now, now + LockoutPolicy.LockDuration, CancellationToken.None);

        Assert.That(recorded.LockedUntil, Is.EqualTo(now + LockoutPolicy.LockDuration).Within(TimeSpan.FromSeconds(1)));
        Assert.That(recorded.StartedLock, Is.False);
        Assert.That(await FailedLoginCountAsync(org), Is.Zero);
        Assert.That(await users.RecordFailedSignInAsync(
            org.Id, "nobody", count: true, LockoutPolicy.MaxConsecutiveFailures, now, now + LockoutPolicy.LockDuration, CancellationToken.None), Is.EqualTo(default(FailedSignIn)));
    }

    [Test]
    public async Task An_expired_lock_still_shows_with_the_same_etag_until_a_write_clears_it_and_moves_the_etag()
    {
        // Review finding: locked_until vanished from the JSON when the lock expired, while the ETag stayed the same.
        TestOrganization org = await NewOrganizationAsync();
        string path = $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}";
        await FailAsync(org, LockoutPolicy.MaxConsecutiveFailures);
        HttpResponseMessage whileLocked = await AdminAsync(HttpMethod.Get, path);
        string lockedBody = await whileLocked.Content.ReadAsStringAsync();

        Server.Clock.Advance(LockoutPolicy.LockDuration + TimeSpan.FromMinutes(1));
        HttpResponseMessage expired = await AdminAsync(HttpMethod.Get, path);

        Assert.That(expired.Headers.ETag!.ToString(), Is.EqualTo(whileLocked.Headers.ETag!.ToString()));
        Assert.That(await expired.Content.ReadAsStringAsync(), Is.EqualTo(lockedBody), "same ETag, same representation");
        Assert.That(JsonDocument.Parse(lockedBody).RootElement.GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.String));

        Assert.That((await TryPasswordAsync(org, org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        HttpResponseMessage signedIn = await AdminAsync(HttpMethod.Get, path);
        Assert.That(signedIn.Headers.ETag!.ToString(), Is.Not.EqualTo(whileLocked.Headers.ETag!.ToString()), "the success cleared locked_until");
        Assert.That(JsonDocument.Parse(await signedIn.Content.ReadAsStringAsync()).RootElement.TryGetProperty("locked_until", out _), Is.False);
    }

    [Test]
    public async Task A_failure_below_the_threshold_leaves_the_etag_as_it_is()
    {
        TestOrganization org = await NewOrganizationAsync();
        string path = $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}";
        string before = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();

        await FailAsync(org, 1);

        Assert.That((await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString(), Is.EqualTo(before), "the count is not part of the representation");
        Assert.That((await TryPasswordAsync(org, org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That((await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString(), Is.EqualTo(before), "nor is clearing it");
    }

    private static int s_address;

    /// <summary>
    /// A browser at an address of its own (X-Forwarded-For through the test server's loopback proxy): these tests are
    /// about the account lock, which takes guesses from several addresses, since one address alone is throttled first.
    /// </summary>
    private HttpClient Attacker()
    {
        int n = Interlocked.Increment(ref s_address);
        return Server.CreateClient(forwardedFor: $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}");
    }

    private async Task FailAsync(TestOrganization org, int times)
    {
        for (int i = 0; i < times; i++)
        {
            HttpResponseMessage response = await TryPasswordAsync(org, WrongPassword);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.IncorrectCredentials));
        }
    }

    /// <summary>A fresh browser through authorize and the login form.</summary>
    private async Task<HttpResponseMessage> TryPasswordAsync(TestOrganization org, string password)
    {
        using HttpClient browser = Attacker();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        return await browser.PostAsync(login.Action, login.With("username", "alice").With("password", password).ToContent());
    }

    /// <summary>The database commands a failed login POST runs before it is answered (the authorize page is fetched first, untraced).</summary>
    private async Task<IReadOnlyList<string>> LoginCommandsAsync(TestOrganization org, string username, string password)
    {
        using HttpClient browser = Attacker();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        return await DatabaseCommands.OfAsync(async traceParent =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, login.Action)
            {
                Content = login.With("username", username).With("password", password).ToContent(),
            };
            request.Headers.Add("traceparent", traceParent);
            HttpResponseMessage response = await browser.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.IncorrectCredentials));
        });
    }

    private static async Task<long> CountEventsAsync(long organizationId, string eventType)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand("SELECT count(*) FROM audit_events WHERE organization_id = $1 AND event_type = $2");
        command.Parameters.AddWithValue(organizationId);
        command.Parameters.AddWithValue(eventType);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<int> FailedLoginCountAsync(TestOrganization org, string username = "alice")
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand("SELECT failed_login_count FROM users WHERE organization_id = $1 AND username = $2");
        command.Parameters.AddWithValue(org.Id);
        command.Parameters.AddWithValue(username);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The reasons of the organisation's login.failed events in order, once there are <paramref name="count"/> (bounded wait).</summary>
    private static async Task<string[]> LoginFailureReasonsAsync(long organizationId, int count)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(
                "SELECT detail->>'reason' FROM audit_events WHERE organization_id = $1 AND event_type = 'login.failed' ORDER BY id");
            command.Parameters.AddWithValue(organizationId);
            var reasons = new List<string>();
            await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    reasons.Add(reader.GetString(0));
                }
            }

            if (reasons.Count >= count || DateTime.UtcNow > deadline)
            {
                return [.. reasons];
            }

            // Polling a condition with a deadline; the audit writer flushes within milliseconds.
            await Task.Delay(50);
        }
    }
}
