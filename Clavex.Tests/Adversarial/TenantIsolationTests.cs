using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, mix-up and tenant isolation: two organisations on one server, each with a client called atlassian and a
/// user called alice. Nothing organisation A issued (codes, access, refresh and ID tokens, sessions, client secrets,
/// organisation-admin tokens) is worth anything at B, and using it at B changes nothing at A.
/// </summary>
public class TenantIsolationTests : AdversarialTestBase
{
    private Task<(TestOrganization A, TestOrganization B, string Token)>? _adminTable;

    [Test]
    public async Task Each_organisation_names_itself_as_the_issuer_of_its_authorization_responses()
    {
        // RFC 9207 §2 and RFC 9700 §4.4.2 (mix-up defence): the client compares iss with the issuer it sent the user to.
        TestOrganization a = await Server.SeedOrganizationAsync();
        TestOrganization b = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        Uri fromA = await SignInAsync(browser, a);
        Uri fromB = await SignInAsync(browser, b);

        Assert.That(Query(fromA)["iss"], Is.EqualTo(a.Issuer));
        Assert.That(Query(fromB)["iss"], Is.EqualTo(b.Issuer));
        Assert.That(a.Issuer, Is.Not.EqualTo(b.Issuer));
    }

    [Test]
    public async Task A_forged_host_header_changes_neither_the_issuer_nor_the_endpoints()
    {
        // RFC 9700 §4.4 (mix-up) and OpenID Connect Discovery 1.0 §4.3 (the issuer MUST be identical to the one the
        // client used): the issuer comes from the configuration, never from what the request claims to be.
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/.well-known/openid-configuration");
        request.Headers.Host = "id.evil.example";
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "id.evil.example");

        JsonElement discovery = await JsonAsync(await client.SendAsync(request));

        Assert.That(discovery.GetProperty("issuer").GetString(), Is.EqualTo(org.Issuer));
        foreach (string endpoint in new[] { "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint" })
        {
            Assert.That(discovery.GetProperty(endpoint).GetString(), Does.StartWith(org.Issuer + "/"), endpoint);
        }
    }

    [Test]
    public async Task A_code_of_organisation_A_is_unknown_at_B_and_stays_redeemable_at_A()
    {
        // RFC 9700 §4.4 (mix-up: a code sent to the wrong authorization server), RFC 6749 §4.1.3.
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        using HttpClient browser = Server.CreateClient();
        string code = Query(await SignInAsync(browser, a))["code"];

        HttpResponseMessage atB = await TokenAsync(b, ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback));
        HttpResponseMessage atA = await TokenAsync(a, ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback));

        await AssertErrorAsync(atB, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code is invalid.");
        Assert.That(atA.StatusCode, Is.EqualTo(HttpStatusCode.OK), "B neither redeemed nor burned A's code");
    }

    [Test]
    public async Task Access_and_refresh_tokens_of_A_are_invalid_at_Bs_userinfo_and_inactive_at_Bs_introspection()
    {
        // RFC 9068 §4 (iss and aud are the organisation's issuer), RFC 7662 §2.2, OIDC Core §5.3.
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        JsonElement tokens = await TokensAsync(a);
        string accessToken = tokens.GetProperty("access_token").GetString()!;
        string refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        AssertInvalidToken(await UserInfoAsync(b, accessToken));
        Assert.That(await IntrospectAsync(b, accessToken), Is.EqualTo("""{"active":false}"""));
        Assert.That(await IntrospectAsync(b, refreshToken), Is.EqualTo("""{"active":false}"""));
        Assert.That((await UserInfoAsync(a, accessToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token is good where it belongs");
    }

    [Test]
    public async Task A_refresh_token_of_A_is_unknown_at_Bs_token_endpoint_and_keeps_working_at_A()
    {
        // RFC 6749 §6 and §10.4: a refresh token is bound to its client, which is one organisation's.
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        string refreshToken = (await TokensAsync(a)).GetProperty("refresh_token").GetString()!;

        HttpResponseMessage atB = await RefreshAsync(b, refreshToken);
        HttpResponseMessage atA = await RefreshAsync(a, refreshToken);

        await AssertErrorAsync(atB, HttpStatusCode.BadRequest, "invalid_grant", "The refresh token is invalid.");
        Assert.That(atA.StatusCode, Is.EqualTo(HttpStatusCode.OK), "not counted as a reuse at A");
    }

    [Test]
    public async Task Revoking_the_tokens_of_A_at_B_answers_200_and_revokes_nothing()
    {
        // RFC 7009 §2.1 (only the client the token was issued to may revoke it) and §2.2 (200 for an unknown token).
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        JsonElement tokens = await TokensAsync(a);
        string accessToken = tokens.GetProperty("access_token").GetString()!;
        string refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        HttpResponseMessage revokeRefresh = await PostAsync(b, "revoke", b.ClientSecret, ("token", refreshToken));
        HttpResponseMessage revokeAccess = await PostAsync(b, "revoke", b.ClientSecret, ("token", accessToken));

        Assert.That(revokeRefresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(revokeAccess.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(JsonDocument.Parse(await IntrospectAsync(a, accessToken)).RootElement.GetProperty("active").GetBoolean(), Is.True);
        Assert.That((await RefreshAsync(a, refreshToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("token")]
    [TestCase("introspect")]
    [TestCase("revoke")]
    public async Task The_client_secret_of_A_does_not_authenticate_the_client_of_the_same_name_at_B(string endpoint)
    {
        // RFC 6749 §2.3.1 and §5.2: clients are registered per organisation; a secret of A is no credential at B.
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();

        HttpResponseMessage response = await PostAsync(b, endpoint, a.ClientSecret, ("grant_type", "refresh_token"), ("refresh_token", "x"), ("token", "x"));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task A_session_of_A_presented_at_Bs_authorize_is_not_signed_in()
    {
        // RFC 9700 §4.4 and OIDC Core §3.1.2.3: a session authenticates the user to one issuer. The cookie is scoped to
        // A's path; here it is sent to B's on purpose.
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        var cookies = new CookieContainer();
        using HttpClient victim = Server.CreateClient(cookies);
        await SignInAsync(victim, a);
        string secret = SessionSecret(cookies, a)!;
        using HttpClient attacker = BrowserWithSession(b, secret);

        HttpResponseMessage page = await attacker.GetAsync(AuthorizeUrl(b));

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        Assert.That(await IsSignedInAsync(b, secret), Is.False, "prompt=none at B: login_required");
        Assert.That(await IsSignedInAsync(a, secret), Is.True);
    }

    [Test]
    public async Task A_session_of_A_cannot_be_ended_through_Bs_logout()
    {
        // OpenID Connect RP-Initiated Logout 1.0 §2: logout ends the session at this OP, and only that one.
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        var cookies = new CookieContainer();
        using HttpClient victim = Server.CreateClient(cookies);
        await SignInAsync(victim, a);
        string secret = SessionSecret(cookies, a)!;
        using HttpClient attacker = BrowserWithSession(b, secret);
        string antiforgery = HtmlForm.Find(await (await attacker.GetAsync(AuthorizeUrl(b))).Content.ReadAsStringAsync(), "/login").Get("clavex_af");

        HttpResponseMessage start = await attacker.GetAsync($"/{b.Slug}/logout");
        HttpResponseMessage confirm = await attacker.PostAsync($"/{b.Slug}/logout", Form(("clavex_af", antiforgery), ("decision", "sign_out")));

        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await start.Content.ReadAsStringAsync(), Does.Not.Contain("<form"), "no session at B: nothing to confirm");
        Assert.That(confirm.StatusCode, Is.EqualTo(HttpStatusCode.OK), await confirm.Content.ReadAsStringAsync());
        Assert.That(confirm.Headers.Contains("Set-Cookie") && confirm.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("clavex_session=", StringComparison.Ordinal)), Is.False);
        Assert.That(await IsSignedInAsync(a, secret), Is.True);
    }

    [Test]
    public async Task An_id_token_of_A_is_no_logout_hint_at_B()
    {
        // RP-Initiated Logout §2: id_token_hint must be an ID token this OP issued; otherwise no redirect.
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        string idToken = (await TokensAsync(a)).GetProperty("id_token").GetString()!;
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync(
            $"/{b.Slug}/logout?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString("https://jira.acme.eu/")}");

        await AssertErrorPageAsync(response, "The sign-out request names a client or return address that is not registered");
        Assert.That(await AuditDetailAsync(b.Id, "logout.refused", "reason"), Is.EqualTo("id_token_hint is not an ID token this organisation signed"));
    }

    // An organisation-admin token (issue 6) is an access token of its organisation (RFC 9068 §4: iss and aud checked),
    // so at another organisation's admin API it is no token at all (RFC 6750 §3.1 invalid_token).
    [TestCase("GET", "clients", null)]
    [TestCase("GET", "clients/atlassian", null)]
    [TestCase("PATCH", "clients/atlassian", """{"client_name":"Owned"}""")]
    [TestCase("DELETE", "clients/atlassian", null)]
    [TestCase("GET", "users", null)]
    [TestCase("POST", "users", """{"username":"mallory","password":"a long enough passphrase"}""")]
    [TestCase("GET", "groups", null)]
    [TestCase("GET", "signing-keys", null)]
    [TestCase("POST", "signing-keys/rotate", "{}")]
    [TestCase("GET", "audit-events", null)]
    public async Task An_organisation_admin_token_of_A_is_refused_by_Bs_admin_api_and_changes_nothing(string method, string path, string? body)
    {
        (TestOrganization a, TestOrganization b, string token) = await (_adminTable ??= AdminTableAsync());
        Assert.That((await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{a.Slug}/clients", token: token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        HttpResponseMessage response = await AdminAsync(new HttpMethod(method), $"/api/v1/organizations/{b.Slug}/{path}", body, token);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{b.Slug}/clients/atlassian", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("client_name").GetString(), Is.EqualTo("Jira + Confluence"));
        JsonElement users = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{b.Slug}/users", null, HttpStatusCode.OK);
        Assert.That(users.GetProperty("users").GetArrayLength(), Is.EqualTo(1));
    }

    /// <summary>The admin table's two organisations and A's admin token, shared by its cases as each changes nothing at B.</summary>
    private async Task<(TestOrganization A, TestOrganization B, string Token)> AdminTableAsync()
    {
        (TestOrganization a, TestOrganization b) = await TwoOrganizationsAsync();
        return (a, b, await AdminAccessTokenAsync(a, inAdminGroup: true));
    }

    private async Task<(TestOrganization A, TestOrganization B)> TwoOrganizationsAsync() =>
        (await Server.SeedOrganizationAsync(), await Server.SeedOrganizationAsync());
}
