using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Clavex.Server.Http;
using Clavex.Tests.Admin;
using Clavex.Tests.Server;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, the adversarial suite: what an attacker can send over HTTP to the real server and database, and what
/// must come back. One server per class, one organisation (or two) per test; every answer is asserted exactly.
/// </summary>
public abstract class AdversarialTestBase : AdminTestBase
{
    /// <summary>The scope the helpers ask for: a refresh token too, so a revocation can be seen on it.</summary>
    internal const string OfflineScope = "openid profile email groups offline_access";

    internal const string ConfluenceCallback = "https://confluence.acme.eu/plugins/servlet/oidc/callback";

    private Task<TestOrganization>? _shared;

    /// <summary>
    /// One organisation for the cases of a table that each change nothing in it (that they change nothing is what they
    /// assert), so that a table of twenty refusals does not pay twenty times for a signing key and a password hash.
    /// </summary>
    internal Task<TestOrganization> SharedOrganizationAsync() => _shared ??= Server.SeedOrganizationAsync();

    /// <summary>Signs alice in with a new browser (a refresh token included) and redeems the code as Jira does.</summary>
    internal async Task<JsonElement> TokensAsync(TestOrganization org, string scope = OfflineScope)
    {
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, scope));
        HttpResponseMessage response = await TokenAsync(org, ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    /// <summary>A POST to the token endpoint as the atlassian client (client_secret_post) with <paramref name="form"/>.</summary>
    internal Task<HttpResponseMessage> TokenAsync(TestOrganization org, params (string Name, string Value)[] form) =>
        PostAsync(org, "token", org.ClientSecret, form);

    /// <summary>A POST to one of the organisation's client-authenticated endpoints, as atlassian with <paramref name="secret"/>.</summary>
    internal async Task<HttpResponseMessage> PostAsync(TestOrganization org, string endpoint, string secret, params (string Name, string Value)[] form)
    {
        using HttpClient client = Server.CreateClient();
        return await client.PostAsync($"/{org.Slug}/{endpoint}", Form([.. form, ("client_id", "atlassian"), ("client_secret", secret)]));
    }

    internal Task<HttpResponseMessage> RefreshAsync(TestOrganization org, string refreshToken) =>
        TokenAsync(org, ("grant_type", "refresh_token"), ("refresh_token", refreshToken));

    /// <summary>The introspection answer to atlassian of <paramref name="org"/> for <paramref name="token"/>.</summary>
    internal async Task<string> IntrospectAsync(TestOrganization org, string token)
    {
        HttpResponseMessage response = await PostAsync(org, "introspect", org.ClientSecret, ("token", token));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response)).GetRawText();
    }

    internal async Task<HttpResponseMessage> UserInfoAsync(TestOrganization org, string accessToken)
    {
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await client.SendAsync(request);
    }

    /// <summary>Authorize, then the password form in <paramref name="browser"/>; the answer to the password.</summary>
    internal static async Task<HttpResponseMessage> PasswordAsync(
        HttpClient browser, TestOrganization org, string password, string? authorizeUrl = null, string username = "alice")
    {
        HtmlForm login = HtmlForm.Find(await (await browser.GetAsync(authorizeUrl ?? AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        return await browser.PostAsync(login.Action, login.With("username", username).With("password", password).ToContent());
    }

    internal async Task RequireMfaAsync(TestOrganization org) =>
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_policy":"required"}""", HttpStatusCode.OK);

    /// <summary>
    /// Under the required policy, the password and the enrolment code (RFC 6238, the test's own) in
    /// <paramref name="browser"/>: the recovery-codes page, and the key alice's app now holds.
    /// </summary>
    internal async Task<(HttpResponseMessage RecoveryCodes, byte[] Key)> EnrolAsync(HttpClient browser, TestOrganization org)
    {
        await RequireMfaAsync(org);
        string page = await (await PasswordAsync(browser, org, org.AlicePassword)).Content.ReadAsStringAsync();
        byte[] key = SecondFactorTests.KeyOf(page);
        HtmlForm enrol = HtmlForm.Find(page, "/mfa/enrol");
        HttpResponseMessage codes = await browser.PostAsync(enrol.Action, enrol.With("code", TestTotp.Code(key, Server.Clock.GetUtcNow())).ToContent());
        Assert.That(codes.StatusCode, Is.EqualTo(HttpStatusCode.OK), await codes.Content.ReadAsStringAsync());
        return (codes, key);
    }

    /// <summary>A protocol error as RFC 6749 §5.2 writes it: the status, the code and the fixed description.</summary>
    internal static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string? description = null)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        JsonElement json = JsonDocument.Parse(body).RootElement;
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo(error), body);
        if (description is not null)
        {
            Assert.That(json.GetProperty("error_description").GetString(), Is.EqualTo(description));
        }
    }

    /// <summary>RFC 6750 §3.1: 401 and a Bearer challenge naming invalid_token.</summary>
    internal static void AssertInvalidToken(HttpResponseMessage response, string description = "The access token is invalid or has expired.")
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(),
            Is.EqualTo($"Bearer realm=\"clavex\", error=\"invalid_token\", error_description=\"{description}\""));
    }

    /// <summary>An error page in place of a redirect: 400, HTML, no Location, a policy that lets no form post anywhere.</summary>
    internal static async Task AssertErrorPageAsync(HttpResponseMessage response, string text)
    {
        string html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), html);
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        Assert.That(html, Does.Contain(text));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("form-action 'none'"));
    }

    /// <summary>The session cookie <paramref name="cookies"/> holds for the organisation, if any.</summary>
    internal string? SessionSecret(CookieContainer cookies, TestOrganization org) =>
        cookies.GetCookies(new Uri(Server.BaseUrl, $"/{org.Slug}/")).FirstOrDefault(c => c.Name == SessionCookie.Name)?.Value;

    /// <summary>A browser that holds only the session cookie <paramref name="secret"/> for the organisation.</summary>
    internal HttpClient BrowserWithSession(TestOrganization org, string secret)
    {
        var cookies = new CookieContainer();
        cookies.Add(new Uri(Server.BaseUrl, $"/{org.Slug}/"), new Cookie(SessionCookie.Name, secret, $"/{org.Slug}/"));
        return Server.CreateClient(cookies);
    }

    /// <summary>Whether a browser holding <paramref name="secret"/> is signed in at <paramref name="org"/>: prompt=none gets a code.</summary>
    internal async Task<bool> IsSignedInAsync(TestOrganization org, string secret)
    {
        using HttpClient browser = BrowserWithSession(org, secret);
        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: ("prompt", "none")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Dictionary<string, string> query = Query(response.Headers.Location!);
        Assert.That(query.ContainsKey("code") || query["error"] is "login_required" or "interaction_required", Is.True, response.Headers.Location!.ToString());
        return query.ContainsKey("code");
    }
}
