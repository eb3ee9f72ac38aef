using System.Net;
using System.Text.Json;
using Clavex.Core.Interaction;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, lockout as a weapon: wrong passwords are throttled per client address before the account lock, so one
/// address can neither lock an account nor keep it locked, and spraying many usernames from one address is throttled.
/// Each test has addresses of its own (X-Forwarded-For through the test server's loopback proxy).
/// </summary>
public class LoginThrottleTests : AdminTestBase
{
    private const string WrongPassword = "not alice's password";

    private static int s_network;

    [Test]
    public async Task One_address_is_throttled_before_it_can_lock_the_account_and_the_owner_signs_in_from_elsewhere()
    {
        TestOrganization org = await NewOrganizationAsync();
        string attacker = NewAddress();
        Assert.That(RequestLimits.SignInFailuresPerAddressAndUsername.Default, Is.LessThan(LockoutPolicy.MaxConsecutiveFailures));
        for (int i = 0; i < RequestLimits.SignInFailuresPerAddressAndUsername.Default; i++)
        {
            HttpResponseMessage wrong = await TryAsync(org, attacker, "alice", WrongPassword);
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"attempt {i + 1}");
        }

        HttpResponseMessage throttled = await TryAsync(org, attacker, "alice", org.AlicePassword);

        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "even the right password: nothing is checked");
        Assert.That(throttled.Headers.RetryAfter?.Delta, Is.EqualTo(LockoutPolicy.FailureWindow));
        Assert.That(await throttled.Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.ThrottledTitle).And.Contain("Reference"));
        Assert.That(await AuditDetailAsync(org.Id, "login.throttled", "reason"), Is.EqualTo("address_and_username"));
        Assert.That(await FailedLoginCountAsync(org), Is.EqualTo(RequestLimits.SignInFailuresPerAddressAndUsername.Default), "below the lock");
        JsonElement alice = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(alice.TryGetProperty("locked_until", out _), Is.False, "never locked");

        HttpResponseMessage owner = await TryAsync(org, NewAddress(), "alice", org.AlicePassword);
        Assert.That(owner.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "alice signs in from her own address");
    }

    [Test]
    public async Task Spraying_one_password_over_many_usernames_from_one_address_is_throttled()
    {
        TestOrganization org = await NewOrganizationAsync();
        string sprayer = NewAddress();
        for (int i = 0; i < RequestLimits.SignInFailuresPerAddress.Default; i++)
        {
            HttpResponseMessage wrong = await TryAsync(org, sprayer, $"user{i}", "Winter2026!");
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"attempt {i + 1}");
        }

        HttpResponseMessage throttled = await TryAsync(org, sprayer, "alice", "Winter2026!");

        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await AuditDetailAsync(org.Id, "login.throttled", "reason"), Is.EqualTo("address"));
        Assert.That((await TryAsync(org, NewAddress(), "alice", org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
    }

    [Test]
    public async Task A_throttled_address_is_refused_before_its_form_is_read()
    {
        TestOrganization org = await NewOrganizationAsync();
        string sprayer = NewAddress();
        for (int i = 0; i < RequestLimits.SignInFailuresPerAddress.Default; i++)
        {
            await TryAsync(org, sprayer, $"user{i}", "Winter2026!");
        }

        using HttpClient flood = Server.CreateClient(forwardedFor: sprayer);
        using HttpClient fresh = Server.CreateClient(forwardedFor: NewAddress());
        var noToken = new FormUrlEncodedContent([new("username", "alice"), new("password", "Winter2026!")]);

        HttpResponseMessage throttled = await flood.PostAsync($"/{org.Slug}/login", noToken);
        HttpResponseMessage refused = await fresh.PostAsync($"/{org.Slug}/login", new FormUrlEncodedContent([new("username", "alice"), new("password", "Winter2026!")]));

        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "no antiforgery check, no body parsing: the address alone decides");
        Assert.That(throttled.Headers.RetryAfter?.Delta, Is.EqualTo(LockoutPolicy.FailureWindow));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "from an address with budget left, the same form fails its antiforgery check");
    }

    [Test]
    public async Task A_throttled_attempt_costs_no_database_work()
    {
        TestOrganization org = await NewOrganizationAsync();
        string attacker = NewAddress();
        for (int i = 0; i < RequestLimits.SignInFailuresPerAddressAndUsername.Default; i++)
        {
            await TryAsync(org, attacker, "alice", WrongPassword);
        }

        using HttpClient browser = Server.CreateClient(forwardedFor: attacker);
        HtmlForm login = HtmlForm.Find(await (await browser.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        IReadOnlyList<string> commands = await DatabaseCommands.OfAsync(async traceParent =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, login.Action) { Content = login.With("username", "alice").With("password", WrongPassword).ToContent() };
            request.Headers.Add("traceparent", traceParent);
            Assert.That((await browser.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        });

        Assert.That(commands, Is.Empty, "no user lookup, no failure count, no password hash");
    }

    [Test]
    public async Task Failures_count_towards_the_lock_only_within_one_window_from_the_first()
    {
        TestOrganization org = await NewOrganizationAsync();
        for (int i = 0; i < LockoutPolicy.MaxConsecutiveFailures - 1; i++)
        {
            await TryAsync(org, NewAddress(), "alice", WrongPassword);
        }

        Assert.That(await FailedLoginCountAsync(org), Is.EqualTo(LockoutPolicy.MaxConsecutiveFailures - 1));
        Server.Clock.Advance(LockoutPolicy.FailureWindow + TimeSpan.FromSeconds(1));

        await TryAsync(org, NewAddress(), "alice", WrongPassword);

        Assert.That(await FailedLoginCountAsync(org), Is.EqualTo(1), "a new run");
        Assert.That((await TryAsync(org, NewAddress(), "alice", org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "not locked");
    }

    [Test]
    public async Task An_admin_unlock_clears_the_throttle_so_the_user_signs_in_from_the_address_the_attempts_came_from()
    {
        TestOrganization org = await NewOrganizationAsync();
        string shared = NewAddress();
        for (int i = 0; i < RequestLimits.SignInFailuresPerAddressAndUsername.Default; i++)
        {
            await TryAsync(org, shared, "alice", WrongPassword);
        }

        Assert.That((await TryAsync(org, shared, "alice", org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/unlock", null, HttpStatusCode.NoContent);

        Assert.That((await TryAsync(org, shared, "alice", org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
    }

    [Test]
    public async Task The_organisations_own_sign_in_limits_apply()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}",
            """{"request_limits": {"sign_in_failures_per_address_and_username": 2, "sign_in_failures_per_address": 3}}""", HttpStatusCode.OK);
        string address = NewAddress();
        await TryAsync(org, address, "alice", WrongPassword);
        await TryAsync(org, address, "alice", WrongPassword);
        Assert.That((await TryAsync(org, address, "alice", org.AlicePassword)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "2 per username");

        Assert.That((await TryAsync(org, address, "bob", WrongPassword)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await TryAsync(org, address, "carol", WrongPassword)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "3 per address");
    }

    /// <summary>An address of a network no other test uses.</summary>
    private static string NewAddress()
    {
        int n = Interlocked.Increment(ref s_network);
        return $"192.0.{(n >> 8) & 255}.{n & 255}";
    }

    private async Task<HttpResponseMessage> TryAsync(TestOrganization org, string address, string username, string password)
    {
        using HttpClient browser = Server.CreateClient(forwardedFor: address);
        HtmlForm login = HtmlForm.Find(await (await browser.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        return await browser.PostAsync(login.Action, login.With("username", username).With("password", password).ToContent());
    }

    private static async Task<int> FailedLoginCountAsync(TestOrganization org)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand("SELECT failed_login_count FROM users WHERE organization_id = $1 AND username = 'alice'");
        command.Parameters.AddWithValue(org.Id);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
