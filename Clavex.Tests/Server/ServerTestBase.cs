using System.Net;
using System.Text.Json;
using System.Web;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>One real server per test class; each test seeds its own organisation.</summary>
public abstract class ServerTestBase
{
    internal const string JiraCallback = "https://jira.acme.eu/plugins/servlet/oidc/callback";
    internal const string Nonce = "n-0S6_WzA2Mj";
    internal const string State = "af0ifjsldkj";

    internal ClavexTestServer Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync() => Server = await CreateServerAsync();

    /// <summary>The server of this class; a class that needs another configuration overrides it.</summary>
    private protected virtual Task<ClavexTestServer> CreateServerAsync() => ClavexTestServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync() => await Server.DisposeAsync();

    internal static string AuthorizeUrl(TestOrganization org, string scope = "openid profile email groups", params (string Name, string Value)[] extra)
    {
        var query = HttpUtility.ParseQueryString(string.Empty);
        query["response_type"] = "code";
        query["client_id"] = "atlassian";
        query["redirect_uri"] = JiraCallback;
        query["scope"] = scope;
        query["state"] = State;
        query["nonce"] = Nonce;
        foreach (var (name, value) in extra)
        {
            query[name] = value;
        }

        return $"/{org.Slug}/authorize?{query}";
    }

    /// <summary>Follows Jira's sign-in: authorize, the login form, back to the callback; returns the callback URL.</summary>
    internal static async Task<Uri> SignInAsync(HttpClient browser, TestOrganization org, string? authorizeUrl = null, string? password = null)
    {
        HttpResponseMessage page = await browser.GetAsync(authorizeUrl ?? AuthorizeUrl(org));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), await page.Content.ReadAsStringAsync());
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        HttpResponseMessage result = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", password ?? org.AlicePassword).ToContent());
        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await result.Content.ReadAsStringAsync());
        return result.Headers.Location!;
    }

    /// <summary>The form Jira posts to redeem the code of <paramref name="callback"/>, with the secret in the body.</summary>
    internal static FormUrlEncodedContent RedeemForm(TestOrganization org, Uri callback) => Form(
        ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback),
        ("client_id", "atlassian"), ("client_secret", org.ClientSecret));

    /// <summary>Signs alice in with a new browser and redeems the code; returns the token response.</summary>
    internal async Task<JsonElement> SignInAndRedeemAsync(TestOrganization org, HttpClient jira, string? authorizeUrl = null)
    {
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org, authorizeUrl);
        HttpResponseMessage token = await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
        return await JsonAsync(token);
    }

    internal static Dictionary<string, string> Query(Uri uri)
    {
        var parsed = HttpUtility.ParseQueryString(uri.Query);
        return parsed.AllKeys.ToDictionary(k => k!, k => parsed[k]!);
    }

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    internal static FormUrlEncodedContent Form(params (string Name, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
}
