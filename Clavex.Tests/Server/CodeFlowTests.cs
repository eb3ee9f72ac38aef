using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Clavex.Core.Pkce;
using Clavex.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Clavex.Tests.Server;

/// <summary>The whole code flow over real HTTP and PostgreSQL, through the HTML login form.</summary>
public class CodeFlowTests : ServerTestBase
{
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    [Test]
    public async Task Alice_signs_in_with_pkce_and_the_id_token_validates_against_the_jwks()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string challenge = CodeChallenge.CreateS256(Verifier);

        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, extra: [("code_challenge", challenge), ("code_challenge_method", "S256")]));

        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(JiraCallback));
        Dictionary<string, string> query = Query(callback);
        Assert.That(query["state"], Is.EqualTo(State));
        Assert.That(query["iss"], Is.EqualTo(org.Issuer));

        using HttpClient jira = Server.CreateClient();
        HttpResponseMessage token = await jira.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "authorization_code"), ("code", query["code"]), ("redirect_uri", JiraCallback),
            ("code_verifier", Verifier), ("client_id", "atlassian"), ("client_secret", org.ClientSecret)));

        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
        Assert.That(token.Headers.CacheControl!.NoStore, Is.True);
        Assert.That(token.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
        Assert.That(token.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        JsonElement body = await JsonAsync(token);
        Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
        Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("openid profile email groups"));

        string jwks = await jira.GetStringAsync($"/{org.Slug}/jwks");
        TokenValidationResult validated = await new JsonWebTokenHandler().ValidateTokenAsync(body.GetProperty("id_token").GetString(), new TokenValidationParameters
        {
            ValidIssuer = org.Issuer,
            ValidAudience = "atlassian",
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            ValidTypes = ["JWT"],
        });
        Assert.That(validated.IsValid, Is.True, validated.Exception?.Message);
        Assert.That(validated.Claims["nonce"], Is.EqualTo(Nonce));
        Assert.That(validated.Claims["preferred_username"], Is.EqualTo("alice"));
        Assert.That(validated.Claims["sub"], Is.EqualTo(org.AliceSubject));
        Assert.That(((IEnumerable<object>)validated.Claims["groups"]).Select(g => g.ToString()),
            Is.EquivalentTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));

        using var userinfoRequest = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
        userinfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("access_token").GetString());
        HttpResponseMessage userinfo = await jira.SendAsync(userinfoRequest);
        Assert.That(userinfo.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        JsonElement claims = await JsonAsync(userinfo);
        Assert.That(claims.GetProperty("email").GetString(), Is.EqualTo("alice@acme.eu"));
        Assert.That(claims.GetProperty("family_name").GetString(), Is.EqualTo("Andersson"));
    }

    [Test]
    public async Task Atlassian_style_basic_authentication_with_url_encoded_credentials_works()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient jira = Server.CreateClient();
        string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString("atlassian") + ":" + Uri.EscapeDataString(org.ClientSecret)));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token")
        {
            Content = Form(("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);

        HttpResponseMessage token = await jira.SendAsync(request);

        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_second_authorize_with_a_session_issues_a_code_without_the_login_page()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);

        HttpResponseMessage again = await browser.GetAsync(AuthorizeUrl(org));

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(again.Headers.Location!)["code"], Is.Not.Empty);
    }

    [Test]
    public async Task Prompt_login_shows_the_login_page_despite_a_session()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);

        HttpResponseMessage again = await browser.GetAsync(AuthorizeUrl(org, extra: [("prompt", "login")]));

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("password"));
    }

    [Test]
    public async Task Prompt_none_without_a_session_returns_login_required_to_the_client()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: [("prompt", "none")]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Dictionary<string, string> query = Query(response.Headers.Location!);
        Assert.That(query["error"], Is.EqualTo("login_required"));
        Assert.That(query["state"], Is.EqualTo(State));
        Assert.That(query["iss"], Is.EqualTo(org.Issuer));
    }

    [Test]
    public async Task A_wrong_password_shows_the_error_and_records_login_failed()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage result = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", "wrong").ToContent());

        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await result.Content.ReadAsStringAsync(), Does.Contain("The username or password is incorrect."));
        Assert.That(result.Headers.Contains("Set-Cookie") && result.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("clavex_session=", StringComparison.Ordinal)), Is.False);
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "login.failed"), Is.EqualTo("wrong_password"));
    }

    [Test]
    public async Task An_unknown_user_gets_the_same_message_as_a_wrong_password()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage result = await browser.PostAsync(login.Action, login.With("username", "mallory").With("password", "wrong").ToContent());

        Assert.That(await result.Content.ReadAsStringAsync(), Does.Contain("The username or password is incorrect."));
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "login.failed"), Is.EqualTo("unknown_user"));
    }

    [Test]
    public async Task A_login_post_without_the_antiforgery_token_is_refused()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        login.Fields.RemoveAll(f => f.Key.Contains("af", StringComparison.OrdinalIgnoreCase) || f.Key.Contains("antiforgery", StringComparison.OrdinalIgnoreCase));

        using HttpClient attacker = Server.CreateClient();
        HttpResponseMessage result = await attacker.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());

        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_login_post_with_a_planted_cookie_and_the_same_value_in_the_form_is_refused()
    {
        // Issue 16: a double-submit pair the server never issued (a cookie planted over plain HTTP or by an old
        // browser) must not pass; only tokens carrying the server's MAC do.
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HtmlForm login = HtmlForm.Find(await (await browser.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        string planted = Clavex.Core.Jose.Base64UrlEncoding.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        var cookies = new CookieContainer();
        cookies.Add(Server.BaseUrl, new Cookie("clavex-af", planted));
        using HttpClient attacker = Server.CreateClient(cookies);

        HttpResponseMessage result = await attacker.PostAsync(login.Action,
            login.With("clavex_af", planted).With("username", "alice").With("password", org.AlicePassword).ToContent());

        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await result.Content.ReadAsStringAsync(), Does.Contain("This form has expired"));
        Assert.That(result.Headers.Location, Is.Null, "no code is delivered");
    }
}
