using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Server.Storage;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Clavex.Tests.Token.TokenTestSupport;

namespace Clavex.Tests.Atlassian;

/// <summary>
/// Clavex as each Atlassian SSO client sees it: these tests play Jira's built-in OpenID Connect SSO, the miniOrange
/// app and the manual Casdoor-style configuration, against the <c>atlassian</c> client registered through the admin
/// API with the admin guide's request body.
/// </summary>
public class AtlassianContractTests : AdminTestBase
{
    private const string MiniOrangeCallback = "https://jira.acme.eu/plugins/servlet/oauth/callback";

    [Test]
    public async Task Built_in_sso_finds_everything_it_needs_in_discovery()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();

        JsonElement discovery = await JsonAsync(await jira.GetAsync($"/{org.Slug}/.well-known/openid-configuration"));

        Assert.That(discovery.GetProperty("issuer").GetString(), Is.EqualTo(org.Issuer), "no trailing slash: Atlassian compares issuers exactly");
        foreach (string member in new[] { "jwks_uri", "authorization_endpoint", "token_endpoint", "userinfo_endpoint" })
        {
            Assert.That(discovery.GetProperty(member).GetString(), Does.StartWith(org.Issuer + "/"), member);
        }

        Assert.That(discovery.GetProperty("subject_types_supported").EnumerateArray().Select(e => e.GetString()), Does.Contain("public"));
        Assert.That(discovery.GetProperty("response_types_supported").EnumerateArray().Select(e => e.GetString()), Does.Contain("code"));
        Assert.That(discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()), Does.Contain("RS256"));
        Assert.That(discovery.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()), Does.Contain("groups"));
    }

    [Test]
    public async Task Built_in_sso_signs_alice_in_with_basic_and_reads_everything_from_the_id_token()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        // No PKCE, state and nonce, the four scopes; prompt=login and login_hint as Jira sends them on re-login.
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org, extra: [("prompt", "login"), ("login_hint", "alice")]));
        string html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Match("name=\"username\"[^>]*value=\"alice\"|value=\"alice\"[^>]*name=\"username\""), "login_hint prefills the username");
        HtmlForm login = HtmlForm.Find(html, "/login");
        HttpResponseMessage back = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());
        Uri callback = back.Headers.Location!;
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(JiraCallback));

        // Atlassian sends the secret with HTTP Basic, id and secret form-URL-encoded before Base64 (RFC 6749 §2.3.1),
        // although the client was registered with client_secret_post.
        using HttpClient jira = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token")
        {
            Content = Form(("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(WebUtility.UrlEncode("atlassian") + ":" + WebUtility.UrlEncode(org.ClientSecret))));
        JsonElement tokens = await JsonAsync(await jira.SendAsync(request));

        JsonElement idToken = Payload(tokens.GetProperty("id_token").GetString()!);
        Assert.That(idToken.GetProperty("iss").GetString(), Is.EqualTo(org.Issuer));
        Assert.That(idToken.GetProperty("nonce").GetString(), Is.EqualTo(Nonce));
        Assert.That(idToken.GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));
        Assert.That(idToken.GetProperty("email").GetString(), Is.EqualTo("alice@acme.eu"));
        Assert.That(idToken.GetProperty("name").GetString(), Is.EqualTo("Alice Andersson"));
        Assert.That(idToken.GetProperty("given_name").GetString(), Is.EqualTo("Alice"));
        Assert.That(idToken.GetProperty("family_name").GetString(), Is.EqualTo("Andersson"));
        Assert.That(idToken.GetProperty("groups").ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(idToken.GetProperty("groups").EnumerateArray().Select(g => g.GetString()),
            Is.EquivalentTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));

        // Userinfo with the Bearer access token returns the same claims.
        using var userinfoRequest = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
        userinfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        JsonElement userinfo = await JsonAsync(await jira.SendAsync(userinfoRequest));
        foreach (string claim in new[] { "sub", "preferred_username", "email", "name", "given_name", "family_name" })
        {
            Assert.That(userinfo.GetProperty(claim).GetString(), Is.EqualTo(idToken.GetProperty(claim).GetString()), claim);
        }

        Assert.That(userinfo.GetProperty("groups").GetRawText(), Is.EqualTo(idToken.GetProperty("groups").GetRawText()));
    }

    [Test]
    public async Task With_mfa_required_for_jira_administrators_jira_gets_mfa_in_amr_and_prompt_login_asks_for_both_factors_again()
    {
        // docs/atlassian.md "Require a second factor for Jira administrators", as written there.
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}",
            """{"mfa_policy":"required_for_groups","mfa_groups":["jira-administrators"]}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        string url = AuthorizeUrl(org, extra: [("prompt", "login"), ("login_hint", "alice")]);

        string enrolment = await PostAsync(browser, await browser.GetStringAsync(url), "/login", ("username", "alice"), ("password", org.AlicePassword));
        byte[] secret = Clavex.Tests.Server.SecondFactorTests.KeyOf(enrolment);
        string codes = await PostAsync(browser, enrolment, "/mfa/enrol", ("code", TestTotp.Code(secret, Server.Clock.GetUtcNow())));
        HtmlForm next = HtmlForm.Find(codes, "/mfa/continue");
        HttpResponseMessage back = await browser.PostAsync(next.Action, next.ToContent());
        Assert.That(back.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "prompt=login is not asked again right after the sign-in");
        JsonElement first = Payload((await JsonAsync(await RedeemAsync(org, back.Headers.Location!, org.ClientSecret))).GetProperty("id_token").GetString()!);
        Assert.That(first.GetProperty("amr").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "pwd", "otp", "mfa" }));
        Assert.That(first.GetProperty("acr").GetString(), Is.EqualTo("urn:clavex:acr:mfa"));

        // Jira's re-login sends prompt=login: the password and then the code, in the same browser.
        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        string challenge = await PostAsync(browser, await browser.GetStringAsync(url), "/login", ("username", "alice"), ("password", org.AlicePassword));
        Assert.That(challenge, Does.Contain("Verify it is you"));
        HtmlForm mfa = HtmlForm.Find(challenge, "/mfa");
        HttpResponseMessage again = await browser.PostAsync(mfa.Action, mfa.With("code", TestTotp.Code(secret, Server.Clock.GetUtcNow())).ToContent());
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await again.Content.ReadAsStringAsync());
        JsonElement second = Payload((await JsonAsync(await RedeemAsync(org, again.Headers.Location!, org.ClientSecret))).GetProperty("id_token").GetString()!);
        Assert.That(second.GetProperty("amr").EnumerateArray().Select(e => e.GetString()), Does.Contain("mfa"));
        Assert.That(second.GetProperty("sid").GetString(), Is.Not.EqualTo(first.GetProperty("sid").GetString()), "each sign-in is a new session");
    }

    [Test]
    public async Task A_wrong_secret_is_audited_under_the_client_it_claimed_and_says_it_matched_no_secret()
    {
        // docs/atlassian.md troubleshooting: filter token.failed by client_id, and read the detail.
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);

        HttpResponseMessage refused = await RedeemAsync(org, callback, "cs_not_the_secret");

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await AuditEvents.WaitForAsync(org.Id, "token.failed");
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using Npgsql.NpgsqlCommand command = dataSource.CreateCommand(
            "SELECT client_id, detail->>'reason' FROM audit_events WHERE organization_id = $1 AND event_type = 'token.failed' ORDER BY id DESC LIMIT 1");
        command.Parameters.AddWithValue(org.Id);
        await using Npgsql.NpgsqlDataReader row = await command.ExecuteReaderAsync();
        Assert.That(await row.ReadAsync(), Is.True);
        Assert.That(row.GetString(0), Is.EqualTo("atlassian"));
        Assert.That(row.GetString(1), Is.EqualTo("client atlassian presented no valid secret: it matches none of the client's secrets"));
    }

    private static async Task<string> PostAsync(HttpClient browser, string page, string action, params (string Name, string Value)[] fields)
    {
        HtmlForm form = HtmlForm.Find(page, action);
        foreach (var (name, value) in fields)
        {
            form = form.With(name, value);
        }

        HttpResponseMessage response = await browser.PostAsync(form.Action, form.ToContent());
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return body;
    }

    [Test]
    public async Task A_user_without_groups_gets_an_empty_groups_array_not_a_missing_claim()
    {
        TestOrganization org = await NewOrganizationAsync();
        var users = Server.Services.GetRequiredService<PgUserStore>();
        await users.CreateAsync(new Core.Users.User { OrganizationId = org.Id, Subject = "u_bob_" + org.Slug, Username = "bob" },
            Server.Services.GetRequiredService<Clavex.Server.Login.PasswordHasher>().Hash("bob-password-1"), CancellationToken.None);
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        Uri callback = (await browser.PostAsync(login.Action, login.With("username", "bob").With("password", "bob-password-1").ToContent())).Headers.Location!;
        using HttpClient jira = Server.CreateClient();

        JsonElement tokens = await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)));

        // Jira's just-in-time provisioning removes the user from every group not listed: [] is the truth, absence is not.
        Assert.That(Payload(tokens.GetProperty("id_token").GetString()!).GetProperty("groups").GetRawText(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task MiniOrange_with_manual_urls_its_own_callback_no_nonce_and_the_secret_in_the_body()
    {
        TestOrganization org = await NewOrganizationAsync();
        await RegisterMiniOrangeCallbackAsync(org);
        using HttpClient browser = Server.CreateClient();

        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, extra: [("redirect_uri", MiniOrangeCallback), ("nonce", "")]));
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(MiniOrangeCallback));
        using HttpClient confluence = Server.CreateClient();
        JsonElement tokens = await JsonAsync(await confluence.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", MiniOrangeCallback),
            ("client_id", "atlassian"), ("client_secret", org.ClientSecret))));

        Assert.That(Payload(tokens.GetProperty("id_token").GetString()!).TryGetProperty("nonce", out _), Is.False, "no nonce sent, none echoed");
        using var userinfoRequest = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
        userinfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        JsonElement userinfo = await JsonAsync(await confluence.SendAsync(userinfoRequest));

        // miniOrange maps attributes from flat userinfo JSON by name.
        Assert.That(userinfo.GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));
        Assert.That(userinfo.GetProperty("email").GetString(), Is.EqualTo("alice@acme.eu"));
        Assert.That(userinfo.GetProperty("given_name").GetString(), Is.EqualTo("Alice"));
        Assert.That(userinfo.GetProperty("family_name").GetString(), Is.EqualTo("Andersson"));
        Assert.That(userinfo.GetProperty("groups").GetArrayLength(), Is.EqualTo(3));
        Assert.That(userinfo.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).Select(p => p.Name), Is.Empty, "flat JSON: no nested objects");
    }

    [Test]
    public async Task MiniOrange_logs_out_through_the_end_session_endpoint()
    {
        TestOrganization org = await NewOrganizationAsync();
        // The guide's body registers no post-logout URI; the admin adds Jira's start page as miniOrange's logout target.
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian",
            """{"post_logout_redirect_uris":["https://jira.acme.eu/"]}""", HttpStatusCode.OK);
        using HttpClient confluence = Server.CreateClient();
        var cookies = new CookieContainer();
        using HttpClient browser = Server.CreateClient(cookies);
        Uri callback = await SignInAsync(browser, org);
        JsonElement tokens = await JsonAsync(await confluence.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)));

        HttpResponseMessage logout = await browser.GetAsync(
            $"/{org.Slug}/logout?id_token_hint={tokens.GetProperty("id_token").GetString()}&post_logout_redirect_uri={Uri.EscapeDataString("https://jira.acme.eu/")}");

        Assert.That(logout.Headers.Location!.AbsoluteUri, Is.EqualTo("https://jira.acme.eu/"));
        Assert.That((await browser.GetAsync(AuthorizeUrl(org))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "signed out: the login page again");
    }

    [Test]
    public async Task Casdoor_style_manual_configuration_gets_address_phone_and_a_refresh_token()
    {
        TestOrganization org = await NewOrganizationAsync();
        string secret = ClientSecrets.Generate();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client
            {
                OrganizationId = org.Id, ClientId = "confluence", ClientName = "Confluence",
                GrantTypes = ["authorization_code", "refresh_token"], RedirectUris = [MiniOrangeCallback],
                Scopes = ["openid", "profile", "email", "address", "phone", "offline_access"],
                TokenEndpointAuthMethod = TokenEndpointAuthMethod.ClientSecretPost,
                Secrets = [new ClientSecret("c1", ClientSecrets.Hash(secret), Server.Clock.GetUtcNow())],
            },
            CancellationToken.None);
        var users = Server.Services.GetRequiredService<PgUserStore>();
        await users.CreateAsync(
            new Core.Users.User
            {
                OrganizationId = org.Id, Subject = "u_carol_" + org.Slug, Username = "carol", Email = "carol@acme.eu", EmailVerified = true,
                PhoneNumber = "+41 44 668 18 00", PhoneNumberVerified = true,
                Address = new Core.Users.PostalAddress { StreetAddress = "Bahnhofstrasse 1", Locality = "Zürich", PostalCode = "8001", Country = "CH" },
            },
            Server.Services.GetRequiredService<Clavex.Server.Login.PasswordHasher>().Hash("carol-password-1"),
            CancellationToken.None);
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org, "address phone openid profile offline_access email", ("client_id", "confluence"), ("redirect_uri", MiniOrangeCallback)));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        Uri callback = (await browser.PostAsync(login.Action, login.With("username", "carol").With("password", "carol-password-1").ToContent())).Headers.Location!;
        using HttpClient confluence = Server.CreateClient();

        JsonElement tokens = await JsonAsync(await confluence.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", MiniOrangeCallback), ("client_id", "confluence"), ("client_secret", secret))));

        Assert.That(tokens.GetProperty("scope").GetString(), Is.EqualTo("address phone openid profile offline_access email"));
        Assert.That(tokens.GetProperty("refresh_token").GetString(), Is.Not.Empty);
        using var userinfoRequest = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
        userinfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        JsonElement userinfo = await JsonAsync(await confluence.SendAsync(userinfoRequest));
        Assert.That(userinfo.GetProperty("phone_number").GetString(), Is.EqualTo("+41 44 668 18 00"));
        Assert.That(userinfo.GetProperty("phone_number_verified").GetBoolean(), Is.True);
        Assert.That(userinfo.GetProperty("address").GetProperty("locality").GetString(), Is.EqualTo("Zürich"));
        Assert.That(userinfo.GetProperty("address").GetProperty("country").GetString(), Is.EqualTo("CH"));

        HttpResponseMessage refreshed = await confluence.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!), ("client_id", "confluence"), ("client_secret", secret)));
        Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>miniOrange's callback, registered beside the built-in ones through the admin API (the guide's troubleshooting fix).</summary>
    private async Task RegisterMiniOrangeCallbackAsync(TestOrganization org)
    {
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", $$"""
            {"redirect_uris":["{{JiraCallback}}","https://confluence.acme.eu/plugins/servlet/oidc/callback","{{MiniOrangeCallback}}"]}
            """, HttpStatusCode.OK);
    }
}
