using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Server;

/// <summary>Each endpoint's errors and headers over real HTTP.</summary>
public class EndpointTests : ServerTestBase
{
    [Test]
    public async Task Discovery_names_the_issuer_and_endpoints_under_the_organisation()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.GetAsync($"/{org.Slug}/.well-known/openid-configuration");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        JsonElement document = await JsonAsync(response);
        Assert.That(document.GetProperty("issuer").GetString(), Is.EqualTo(org.Issuer));
        Assert.That(document.GetProperty("authorization_endpoint").GetString(), Is.EqualTo(org.Issuer + "/authorize"));
        Assert.That(document.GetProperty("token_endpoint").GetString(), Is.EqualTo(org.Issuer + "/token"));
        Assert.That(document.GetProperty("userinfo_endpoint").GetString(), Is.EqualTo(org.Issuer + "/userinfo"));
        Assert.That(document.GetProperty("jwks_uri").GetString(), Is.EqualTo(org.Issuer + "/jwks"));
        Assert.That(document.GetProperty("end_session_endpoint").GetString(), Is.EqualTo(org.Issuer + "/logout"));
    }

    [Test]
    public async Task Jwks_is_cacheable_and_holds_the_signing_key()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.GetAsync($"/{org.Slug}/jwks");

        Assert.That(response.Headers.CacheControl!.Public, Is.True);
        Assert.That(response.Headers.CacheControl.MaxAge, Is.EqualTo(TimeSpan.FromMinutes(5)));
        JsonElement key = (await JsonAsync(response)).GetProperty("keys")[0];
        Assert.That(key.GetProperty("kty").GetString(), Is.EqualTo("RSA"));
        Assert.That(key.GetProperty("alg").GetString(), Is.EqualTo("RS256"));
        Assert.That(key.TryGetProperty("d", out _), Is.False);
    }

    [Test]
    public async Task An_unknown_organisation_is_404()
    {
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/no-such-org/.well-known/openid-configuration");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_unknown_organisation_is_a_no_store_invalid_request_that_does_not_echo_the_path()
    {
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/no-such-org/jwks");
        string body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(body, Is.EqualTo("""{"error":"invalid_request","error_description":"There is no such organisation on this server."}"""));
    }

    [Test]
    public async Task An_unregistered_redirect_uri_gets_an_error_page_that_names_it_and_the_client()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string url = AuthorizeUrl(org, extra: [("redirect_uri", "https://jira.acme.eu/evil")]);

        HttpResponseMessage response = await browser.GetAsync(url);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
        string text = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.That(text, Does.Contain("The redirect URI https://jira.acme.eu/evil is not registered for client 'atlassian'."));
        AssertPageHeaders(response);
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "authorize.rejected"), Does.Contain("not registered"));
    }

    [Test]
    public async Task The_login_page_sends_the_security_headers()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org));

        AssertPageHeaders(response);
        Assert.That(response.Headers.Contains("X-Correlation-Id"), Is.True);
    }

    [Test]
    public async Task The_token_endpoint_refuses_json_bodies()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.PostAsync($"/{org.Slug}/token", new StringContent("{\"grant_type\":\"authorization_code\"}", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
    }

    [Test]
    public async Task The_token_endpoint_accepts_only_post()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.GetAsync($"/{org.Slug}/token");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task A_failed_basic_authentication_is_401_with_a_basic_challenge()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token") { Content = Form(("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", JiraCallback)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("atlassian:cs_wrong")));

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Basic"));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        Assert.That(response.Headers.CacheControl!.NoStore, Is.True);
    }

    [Test]
    public async Task A_malformed_basic_header_is_401_invalid_client()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token") { Content = Form(("grant_type", "authorization_code")) };
        request.Headers.TryAddWithoutValidation("Authorization", "Basic !!!not-base64");

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task A_replayed_code_is_invalid_grant()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient jira = Server.CreateClient();
        Assert.That((await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        HttpResponseMessage replay = await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));

        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement error = await JsonAsync(replay);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        Assert.That(error.GetProperty("error_description").GetString(), Is.EqualTo("The authorization code has already been used."));
    }

    [Test]
    public async Task Userinfo_without_a_token_is_401_with_a_bare_bearer_challenge()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.GetAsync($"/{org.Slug}/userinfo");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer realm=\"clavex\""));
    }

    [Test]
    public async Task Userinfo_with_a_bad_token_is_401_invalid_token()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJub25lIn0.e30.");

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("error=\"invalid_token\""));
    }

    [Test]
    public async Task Userinfo_accepts_the_token_in_a_post_body()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        JsonElement tokens = await SignInAndRedeemAsync(org, jira);

        HttpResponseMessage response = await jira.PostAsync($"/{org.Slug}/userinfo", Form(("access_token", tokens.GetProperty("access_token").GetString()!)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await JsonAsync(response)).GetProperty("sub").GetString(), Is.EqualTo(org.AliceSubject));
    }

    [Test]
    public async Task Introspection_reports_an_active_access_token_and_then_its_revocation()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient jira = Server.CreateClient();
        string accessToken = (await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)))).GetProperty("access_token").GetString()!;
        var introspect = new[] { ("token", accessToken), ("client_id", "atlassian"), ("client_secret", org.ClientSecret) };

        JsonElement active = await JsonAsync(await jira.PostAsync($"/{org.Slug}/introspect", Form(introspect)));
        Assert.That(active.GetProperty("active").GetBoolean(), Is.True);
        Assert.That(active.GetProperty("sub").GetString(), Is.EqualTo(org.AliceSubject));
        Assert.That(active.GetProperty("client_id").GetString(), Is.EqualTo("atlassian"));
        Assert.That(active.GetProperty("scope").GetString(), Is.EqualTo("openid profile email groups"));
        Assert.That(active.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
        Assert.That(active.TryGetProperty("gid", out _), Is.False);

        // Replaying the code revokes the grant, and with it the access token.
        await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        JsonElement revoked = await JsonAsync(await jira.PostAsync($"/{org.Slug}/introspect", Form(introspect)));
        Assert.That(revoked.GetRawText(), Is.EqualTo("""{"active":false}"""));
    }

    [Test]
    public async Task Introspection_of_garbage_is_inactive_and_needs_client_authentication()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage inactive = await client.PostAsync($"/{org.Slug}/introspect", Form(("token", "nonsense"), ("client_id", "atlassian"), ("client_secret", org.ClientSecret)));
        HttpResponseMessage unauthenticated = await client.PostAsync($"/{org.Slug}/introspect", Form(("token", "nonsense"), ("client_id", "atlassian"), ("client_secret", "cs_wrong")));

        Assert.That((await JsonAsync(inactive)).GetRawText(), Is.EqualTo("""{"active":false}"""));
        Assert.That(unauthenticated.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(unauthenticated)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task Introspection_by_a_public_client_is_refused_so_no_anonymous_caller_learns_a_tokens_claims()
    {
        // Issue 16: a client with token_endpoint_auth_method none "authenticates" with its client_id alone (RFC 7662 §2.1).
        TestOrganization org = await Server.SeedOrganizationAsync();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client
            {
                OrganizationId = org.Id, ClientId = "spa", TokenEndpointAuthMethod = TokenEndpointAuthMethod.None, RedirectUris = ["https://app.acme.eu/cb"],
            },
            CancellationToken.None);
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient anyone = Server.CreateClient();
        string accessToken = (await JsonAsync(await anyone.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)))).GetProperty("access_token").GetString()!;

        HttpResponseMessage response = await anyone.PostAsync($"/{org.Slug}/introspect", Form(("token", accessToken), ("client_id", "spa")));

        JsonElement error = await JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.Contain("cannot introspect"));
        Assert.That(error.TryGetProperty("active", out _), Is.False);
        Assert.That(error.TryGetProperty("sub", out _), Is.False);
    }

    [Test]
    public async Task Introspection_reports_the_current_refresh_token_active_to_its_client_only_and_a_rotated_one_inactive()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, "openid groups offline_access"));
        using HttpClient jira = Server.CreateClient();
        var credentials = new[] { ("client_id", "atlassian"), ("client_secret", org.ClientSecret) };
        string first = (await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", Form(
            [("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback), .. credentials])))).GetProperty("refresh_token").GetString()!;
        string otherSecret = ClientSecrets.Generate();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client
            {
                OrganizationId = org.Id, ClientId = "reports", GrantTypes = ["client_credentials"], Scopes = ["openid"],
                Secrets = [new ClientSecret("s1", ClientSecrets.Hash(otherSecret), Server.Clock.GetUtcNow())],
            },
            CancellationToken.None);

        JsonElement active = await JsonAsync(await jira.PostAsync($"/{org.Slug}/introspect", Form([("token", first), ("token_type_hint", "refresh_token"), .. credentials])));
        JsonElement toOther = await JsonAsync(await jira.PostAsync($"/{org.Slug}/introspect", Form(("token", first), ("client_id", "reports"), ("client_secret", otherSecret))));
        string second = (await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", Form([("grant_type", "refresh_token"), ("refresh_token", first), .. credentials]))))
            .GetProperty("refresh_token").GetString()!;
        JsonElement rotated = await JsonAsync(await jira.PostAsync($"/{org.Slug}/introspect", Form([("token", first), .. credentials])));
        JsonElement replacement = await JsonAsync(await jira.PostAsync($"/{org.Slug}/introspect", Form([("token", second), .. credentials])));

        long now = Server.Clock.GetUtcNow().ToUnixTimeSeconds();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(active.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(active.GetProperty("token_use").GetString(), Is.EqualTo("refresh_token"));
            Assert.That(active.GetProperty("client_id").GetString(), Is.EqualTo("atlassian"));
            Assert.That(active.GetProperty("sub").GetString(), Is.EqualTo(org.AliceSubject));
            Assert.That(active.GetProperty("scope").GetString(), Is.EqualTo("openid groups offline_access"));
            Assert.That(active.GetProperty("iss").GetString(), Is.EqualTo(org.Issuer));
            Assert.That(active.GetProperty("iat").GetInt64(), Is.EqualTo(now));
            Assert.That(active.GetProperty("exp").GetInt64(), Is.GreaterThan(now));
            Assert.That(active.TryGetProperty("token_type", out _), Is.False);
            Assert.That(toOther.GetRawText(), Is.EqualTo("""{"active":false}"""));
            Assert.That(rotated.GetRawText(), Is.EqualTo("""{"active":false}"""));
            Assert.That(replacement.GetProperty("active").GetBoolean(), Is.True);
        }
    }

    [Test]
    public async Task Revoking_a_refresh_token_over_http_answers_200_and_revokes_the_grant()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, "openid offline_access"));
        using HttpClient jira = Server.CreateClient();
        var credentials = new[] { ("client_id", "atlassian"), ("client_secret", org.ClientSecret) };
        JsonElement tokens = await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", Form(
            [("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback), .. credentials])));
        string refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        HttpResponseMessage revoke = await jira.PostAsync($"/{org.Slug}/revoke", Form([("token", refreshToken), ("token_type_hint", "refresh_token"), .. credentials]));
        HttpResponseMessage refresh = await jira.PostAsync($"/{org.Slug}/token", Form([("grant_type", "refresh_token"), ("refresh_token", refreshToken), .. credentials]));

        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(refresh)).GetProperty("error_description").GetString(), Is.EqualTo("The refresh token has been revoked."));
    }

    [Test]
    public async Task The_secret_that_authenticated_a_token_request_gets_its_last_use_recorded()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        await SignInAndRedeemAsync(org, jira);

        await Server.Services.GetRequiredService<Clavex.Server.Storage.SecretUsage>().FlushAsync(CancellationToken.None);

        await using var dataSource = Npgsql.NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT last_used_at FROM client_secrets WHERE organization_id = $1 AND client_id = 'atlassian'");
        command.Parameters.AddWithValue(org.Id);
        Assert.That(await command.ExecuteScalarAsync(), Is.InstanceOf<DateTime>());
    }

    [Test]
    public async Task Health_and_readiness_answer()
    {
        using HttpClient client = Server.CreateClient();

        Assert.That(await client.GetStringAsync("/healthz"), Is.EqualTo("ok"));
        Assert.That(await client.GetStringAsync("/readyz"), Is.EqualTo("ready"));
    }

    [Test]
    public async Task An_oversized_body_is_refused_without_a_server_error()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.PostAsync($"/{org.Slug}/token", Form(("grant_type", new string('a', 200_000))));

        Assert.That((int)response.StatusCode, Is.AnyOf(400, 413));
    }

    private static void AssertPageHeaders(HttpResponseMessage response)
    {
        string csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("frame-ancestors 'none'"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
    }
}
