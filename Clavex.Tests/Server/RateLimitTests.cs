using System.Net;
using System.Text.Json;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, abuse limits: the token, introspection, revocation, userinfo and admin endpoints answer a request past the
/// organisation's limit with 429, Retry-After and an RFC-shaped body, before doing any work; other addresses, tokens
/// and organisations keep their own budgets. Each test sets small limits on an organisation of its own and calls from
/// addresses no other test uses (X-Forwarded-For through the test server's loopback proxy).
/// </summary>
public class RateLimitTests : AdminTestBase
{
    private static int s_network;

    [Test]
    public async Task Token_requests_past_the_organisations_limit_are_429_temporarily_unavailable_with_retry_after()
    {
        TestOrganization org = await LimitedOrganizationAsync("""{"token_requests_per_minute": 3}""");
        string address = NewAddress();
        using HttpClient client = Server.CreateClient(forwardedFor: address);
        for (int i = 0; i < 3; i++)
        {
            HttpResponseMessage allowed = await client.PostAsync($"/{org.Slug}/token", BogusCodeForm(org));
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"request {i + 1} reaches the endpoint (invalid_grant)");
        }

        HttpResponseMessage refused = await client.PostAsync($"/{org.Slug}/token", BogusCodeForm(org));

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(refused.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        JsonElement body = await JsonAsync(refused);
        Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        Assert.That(body.GetProperty("error_description").GetString(), Is.EqualTo("Too many requests from this address; retry after 10 seconds."));
        Assert.That(await AuditDetailAsync(org.Id, "request.rate_limited", "limit"), Is.EqualTo("token_requests_per_minute"));
        Assert.That(await AuditDetailAsync(org.Id, "request.rate_limited", "per_minute"), Is.EqualTo("3"));
    }

    [Test]
    public async Task Introspection_and_revocation_share_the_token_budget_and_another_address_has_its_own()
    {
        TestOrganization org = await LimitedOrganizationAsync("""{"token_requests_per_minute": 2}""");
        using HttpClient first = Server.CreateClient(forwardedFor: NewAddress());
        var credentials = Form(("client_id", "atlassian"), ("client_secret", org.ClientSecret), ("token", "not-a-token"));
        Assert.That((await first.PostAsync($"/{org.Slug}/introspect", credentials)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await first.PostAsync($"/{org.Slug}/revoke", credentials)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await first.PostAsync($"/{org.Slug}/introspect", credentials)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That((await first.PostAsync($"/{org.Slug}/token", BogusCodeForm(org))).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        using HttpClient second = Server.CreateClient(forwardedFor: NewAddress());
        Assert.That((await second.PostAsync($"/{org.Slug}/introspect", credentials)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "its own budget");
    }

    [Test]
    public async Task One_organisations_limit_does_not_touch_another_organisation()
    {
        TestOrganization limited = await LimitedOrganizationAsync("""{"token_requests_per_minute": 1}""");
        TestOrganization other = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient(forwardedFor: NewAddress());
        await client.PostAsync($"/{limited.Slug}/token", BogusCodeForm(limited));
        Assert.That((await client.PostAsync($"/{limited.Slug}/token", BogusCodeForm(limited))).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        for (int i = 0; i < 5; i++)
        {
            Assert.That((await client.PostAsync($"/{other.Slug}/token", BogusCodeForm(other))).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    [Test]
    public async Task Userinfo_requests_past_the_limit_are_429_and_a_refused_request_costs_no_database_work()
    {
        TestOrganization org = await LimitedOrganizationAsync("""{"userinfo_requests_per_minute": 2}""");
        using HttpClient client = Server.CreateClient(forwardedFor: NewAddress());
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        for (int i = 0; i < 2; i++)
        {
            Assert.That((await client.GetAsync($"/{org.Slug}/userinfo")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        HttpResponseMessage refused = null!;
        IReadOnlyList<string> commands = await DatabaseCommands.OfAsync(async traceParent =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
            request.Headers.Add("traceparent", traceParent);
            refused = await client.SendAsync(request);
        });

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That((await JsonAsync(refused)).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(commands, Is.Empty);
    }

    [Test]
    public async Task Admin_requests_past_the_limit_are_429_too_many_requests_per_token()
    {
        TestOrganization org = await LimitedOrganizationAsync("""{"admin_requests_per_minute": 3}""");
        for (int i = 0; i < 3; i++)
        {
            await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", null, HttpStatusCode.OK);
        }

        HttpResponseMessage refused = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users");

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(10)));
        JsonElement body = await JsonAsync(refused);
        Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("too_many_requests"));
        Assert.That(body.GetProperty("error_description").GetString(), Does.StartWith("This token made more than 3 admin API requests in a minute"));
        Assert.That(await AuditDetailAsync(org.Id, "request.rate_limited", "limit"), Is.EqualTo("admin_requests_per_minute"));

        HttpResponseMessage elsewhere = await AdminAsync(HttpMethod.Get, "/api/v1/organizations");
        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token's budget outside this organisation is the default");
    }

    [Test]
    public async Task Wrong_admin_tokens_are_401_however_many_come_and_leave_the_real_tokens_budget_alone()
    {
        TestOrganization org = await LimitedOrganizationAsync("""{"admin_requests_per_minute": 1}""");
        for (int i = 0; i < 4; i++)
        {
            HttpResponseMessage wrong = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", token: "wrong-token-" + i);
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"attempt {i + 1}");
        }

        await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", null, HttpStatusCode.OK);
    }

    [Test]
    public async Task The_limits_are_read_set_and_reset_through_the_organisation()
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonElement before = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}", null, HttpStatusCode.OK);
        Assert.That(before.GetProperty("request_limits").ToString(), Is.EqualTo(
            """{"token_requests_per_minute":1200,"userinfo_requests_per_minute":1200,"admin_requests_per_minute":600,"sign_in_failures_per_address":30,"sign_in_failures_per_address_and_username":5}"""));

        JsonElement set = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}",
            """{"request_limits": {"token_requests_per_minute": 60, "sign_in_failures_per_address": 500}}""", HttpStatusCode.OK);
        Assert.That(set.GetProperty("request_limits").GetProperty("token_requests_per_minute").GetInt32(), Is.EqualTo(60));
        Assert.That(set.GetProperty("request_limits").GetProperty("sign_in_failures_per_address").GetInt32(), Is.EqualTo(500));

        JsonElement merged = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}",
            """{"request_limits": {"token_requests_per_minute": null, "userinfo_requests_per_minute": 90}}""", HttpStatusCode.OK);
        JsonElement limits = merged.GetProperty("request_limits");
        Assert.That(limits.GetProperty("token_requests_per_minute").GetInt32(), Is.EqualTo(1200), "null returns to the default");
        Assert.That(limits.GetProperty("userinfo_requests_per_minute").GetInt32(), Is.EqualTo(90));
        Assert.That(limits.GetProperty("sign_in_failures_per_address").GetInt32(), Is.EqualTo(500), "a limit not named stays");
        Assert.That(await StoredLimitsAsync(org), Is.EqualTo("""{"sign_in_failures_per_address": 500, "userinfo_requests_per_minute": 90}"""), "only what differs is stored");
    }

    [TestCase("""{"request_limits": {"tokens_per_minute": 5}}""", "request_limits.tokens_per_minute is not a limit; the limits are token_requests_per_minute, userinfo_requests_per_minute, admin_requests_per_minute, sign_in_failures_per_address, sign_in_failures_per_address_and_username.")]
    [TestCase("""{"request_limits": {"token_requests_per_minute": 0}}""", "request_limits.token_requests_per_minute (requests to /token, /introspect and /revoke per client address and minute) must be a whole number from 1 to 1000000, or null for the default 1200.")]
    [TestCase("""{"request_limits": {"token_requests_per_minute": 2.5}}""", "request_limits.token_requests_per_minute (requests to /token, /introspect and /revoke per client address and minute) must be a whole number from 1 to 1000000, or null for the default 1200.")]
    [TestCase("""{"request_limits": {"sign_in_failures_per_address_and_username": 10}}""", "request_limits.sign_in_failures_per_address_and_username (wrong passwords per client address and username in 15 minutes) must be a whole number from 1 to 9, or null for the default 5.")]
    [TestCase("""{"request_limits": 600}""", "request_limits must be an object of limits, e.g. {\"token_requests_per_minute\": 600}.")]
    public async Task A_wrong_limit_is_a_400_that_names_it_and_changes_nothing(string body, string description)
    {
        TestOrganization org = await NewOrganizationAsync();
        HttpResponseMessage response = await AdminAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(error.GetProperty("error_description").GetString(), Is.EqualTo(description));
        Assert.That(await StoredLimitsAsync(org), Is.EqualTo("{}"));
    }

    /// <summary>An organisation with <paramref name="limits"/>; the PATCH itself makes this instance read them again.</summary>
    private async Task<TestOrganization> LimitedOrganizationAsync(string limits)
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", $$"""{"request_limits": {{limits}}}""", HttpStatusCode.OK);
        return org;
    }

    private static FormUrlEncodedContent BogusCodeForm(TestOrganization org) => Form(
        ("grant_type", "authorization_code"), ("code", "not-a-code"), ("redirect_uri", JiraCallback),
        ("client_id", "atlassian"), ("client_secret", org.ClientSecret));

    private static async Task<string> StoredLimitsAsync(TestOrganization org)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using Npgsql.NpgsqlCommand command = dataSource.CreateCommand("SELECT request_limits::text FROM organizations WHERE id = $1");
        command.Parameters.AddWithValue(org.Id);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>An address of a network no other test uses.</summary>
    private static string NewAddress()
    {
        int n = Interlocked.Increment(ref s_network);
        return $"198.51.{(n >> 8) & 255}.{n & 255}";
    }
}
