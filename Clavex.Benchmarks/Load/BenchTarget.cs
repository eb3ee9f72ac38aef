using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Clavex.Benchmarks.Load;

/// <summary>
/// What the load runs against, set up through the admin API: an organisation of its own (so nothing of a real one is
/// touched), a user in three groups, and a confidential client with the code, refresh and client_credentials grants.
/// Also the browser steps every scenario shares: signing in through the login form, and one code flow.
/// </summary>
internal sealed partial class BenchTarget
{
    public const string RedirectUri = "http://127.0.0.1/bench-callback";
    public const string ClientId = "bench";
    public const string Username = "bench";

    // Groups exist before a user can be put in them (the admin API refuses unknown group names).
    private static readonly string[] Groups = ["jira-administrators", "jira-software-users", "confluence-users"];

    private BenchTarget(Uri baseUrl, string slug, string password, string clientSecret)
    {
        BaseUrl = baseUrl;
        Slug = slug;
        Password = password;
        ClientSecret = clientSecret;
        BasicCredentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":" + clientSecret)));
    }

    public Uri BaseUrl { get; }

    public string Slug { get; }

    public string Password { get; }

    public string ClientSecret { get; }

    public AuthenticationHeaderValue BasicCredentials { get; }

    /// <summary>
    /// Sets up the bench organisation. With <paramref name="raiseLimits"/> its request limits are raised past what one
    /// address sends (the limiter still runs on every request), and with <paramref name="keepSignInLimits"/> too the
    /// sign-in failure limits stay at their defaults, as a flood of wrong passwords meets them.
    /// </summary>
    public static async Task<BenchTarget> CreateAsync(Uri baseUrl, string adminToken, bool raiseLimits, bool keepSignInLimits, CancellationToken cancellationToken)
    {
        using var admin = new HttpClient { BaseAddress = baseUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        string slug = "bench" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        string password = "load test " + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        await PostAsync(admin, "/api/v1/organizations", $$"""{"slug":"{{slug}}","display_name":"Load test {{slug}}"}""", cancellationToken);
        // The load comes from one address, far past the default abuse limits.
        string signInLimit = keepSignInLimits ? string.Empty : ""","sign_in_failures_per_address":100000""";
        if (raiseLimits)
        {
            await SendAsync(admin, HttpMethod.Patch, $"/api/v1/organizations/{slug}",
                $$$"""{"request_limits":{"token_requests_per_minute":1000000,"userinfo_requests_per_minute":1000000{{{signInLimit}}}}}""", cancellationToken);
        }
        foreach (string group in Groups)
        {
            await PostAsync(admin, $"/api/v1/organizations/{slug}/groups", $$"""{"name":"{{group}}"}""", cancellationToken);
        }

        await PostAsync(admin, $"/api/v1/organizations/{slug}/users", $$"""
            {"username":"{{Username}}","password":"{{password}}","name":"Bench User","given_name":"Bench","family_name":"User",
             "email":"bench@example.com","email_verified":true,"groups":["jira-administrators","jira-software-users","confluence-users"]}
            """, cancellationToken);
        JsonElement client = await PostAsync(admin, $"/api/v1/organizations/{slug}/clients", $$"""
            {"client_id":"{{ClientId}}","client_name":"Load test","redirect_uris":["{{RedirectUri}}"],
             "grant_types":["authorization_code","refresh_token","client_credentials"],
             "scopes":["openid","profile","email","groups","offline_access"],"token_endpoint_auth_method":"client_secret_basic","require_pkce":true}
            """, cancellationToken);
        return new BenchTarget(baseUrl, slug, password, client.GetProperty("client_secret").GetString()!);
    }

    /// <summary>A keep-alive client as one browser: its own cookies, redirects not followed.</summary>
    public HttpClient NewBrowser() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        CookieContainer = new CookieContainer(),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = 1,
    })
    {
        BaseAddress = BaseUrl,
    };

    public string AuthorizeUrl(string challenge, string scope = "openid profile email groups", bool promptLogin = false) =>
        $"/{Slug}/authorize?response_type=code&client_id={ClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}"
        + $"&scope={Uri.EscapeDataString(scope)}&state=s&nonce=n&code_challenge={challenge}&code_challenge_method=S256"
        + (promptLogin ? "&prompt=login" : string.Empty);

    /// <summary>
    /// The login page fetched and its form posted with the bench user's password; the code of the redirect, or why not.
    /// A browser that is still signed in gets its code from the authorize request itself, unless <paramref name="promptLogin"/>.
    /// </summary>
    public async Task<(string? Code, string? Failure)> SignInAsync(HttpClient browser, string challenge, string scope, bool promptLogin, CancellationToken cancellationToken)
    {
        using HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(challenge, scope, promptLogin), cancellationToken);
        if (page.StatusCode == HttpStatusCode.SeeOther && !promptLogin)
        {
            // The browser is still signed in (a worker starting again after its token expired): the code comes at once.
            return CodeOf(page, "authorize");
        }

        if (page.StatusCode != HttpStatusCode.OK)
        {
            return (null, $"authorize {(int)page.StatusCode}");
        }

        string html = await page.Content.ReadAsStringAsync(cancellationToken);
        Match form = FormPattern().Match(html);
        if (!form.Success)
        {
            return (null, "authorize 200 without a login form");
        }

        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in HiddenPattern().Matches(html))
        {
            fields.Add(new(WebUtility.HtmlDecode(input.Groups[1].Value), WebUtility.HtmlDecode(input.Groups[2].Value)));
        }

        fields.Add(new("username", Username));
        fields.Add(new("password", Password));
        using var content = new FormUrlEncodedContent(fields);
        using HttpResponseMessage posted = await browser.PostAsync(WebUtility.HtmlDecode(form.Groups[1].Value), content, cancellationToken);
        return CodeOf(posted, "login");
    }

    /// <summary>The code in a 303 to the redirect URI, or the failure to report.</summary>
    public static (string? Code, string? Failure) CodeOf(HttpResponseMessage response, string step)
    {
        if (response.StatusCode != HttpStatusCode.SeeOther || response.Headers.Location is not Uri location)
        {
            return (null, $"{step} {(int)response.StatusCode}");
        }

        string query = location.Query;
        string? code = Parameter(query, "code");
        return code is null ? (null, $"{step} 303 error={Parameter(query, "error") ?? "none"}") : (code, null);
    }

    /// <summary>POST to the token endpoint with HTTP Basic; the parsed body, or the failure ("token 400 invalid_grant").</summary>
    public async Task<(JsonDocument? Body, string? Failure)> TokenAsync(HttpClient client, IEnumerable<KeyValuePair<string, string>> form, string step, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{Slug}/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = BasicCredentials;
        using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
        return await JsonOrFailureAsync(response, step, cancellationToken);
    }

    public static async Task<(JsonDocument? Body, string? Failure)> JsonOrFailureAsync(HttpResponseMessage response, string step, CancellationToken cancellationToken)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (JsonDocument.Parse(body), null);
        }

        string error = "?";
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            error = document.RootElement.TryGetProperty("error", out JsonElement e) ? e.GetString() ?? "?" : "?";
        }
        catch (JsonException)
        {
        }

        return (null, $"{step} {(int)response.StatusCode} {error}");
    }

    /// <summary>RFC 7636 S256: a fresh verifier and its challenge.</summary>
    public static (string Verifier, string Challenge) NewPkce()
    {
        string verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Parameter(string query, string name)
    {
        foreach (string pair in query.TrimStart('?').Split('&'))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
            {
                return Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
        }

        return null;
    }

    private static Task<JsonElement> PostAsync(HttpClient admin, string path, string json, CancellationToken cancellationToken) =>
        SendAsync(admin, HttpMethod.Post, path, json, cancellationToken);

    private static async Task<JsonElement> SendAsync(HttpClient admin, HttpMethod method, string path, string json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using HttpResponseMessage response = await admin.SendAsync(request, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Setting up the bench organisation failed: {method} {path} answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+/login)\">")]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\" />")]
    private static partial Regex HiddenPattern();
}
