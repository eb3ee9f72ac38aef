using System.Net;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, open redirectors and code leakage through redirect URIs: only a URI registered for the client, compared
/// as an exact string, is ever redirected to; anything else gets an error page and no <c>Location</c>.
/// </summary>
public class RedirectUriTests : AdversarialTestBase
{
    // RFC 9700 §4.1.1 and §2.1 (exact string matching), OIDC Core §3.1.2.1 ("MUST exactly match"), RFC 6749 §4.1.2.1
    // (an invalid redirection URI: inform the user, MUST NOT redirect). The registered URI is JiraCallback.
    [TestCase("HTTPS://jira.acme.eu/plugins/servlet/oidc/callback", TestName = "{m}(scheme in upper case)")]
    [TestCase("https://JIRA.acme.eu/plugins/servlet/oidc/callback", TestName = "{m}(host in upper case)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/OIDC/callback", TestName = "{m}(path in another case)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback/", TestName = "{m}(trailing slash)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback?next=https://evil.example/", TestName = "{m}(extra query)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback#https://evil.example/", TestName = "{m}(fragment)")]
    [TestCase("https://jira.acme.eu@evil.example/plugins/servlet/oidc/callback", TestName = "{m}(registered host as user info of another host)")]
    [TestCase("https://evil@jira.acme.eu/plugins/servlet/oidc/callback", TestName = "{m}(user info before the registered host)")]
    [TestCase("https://jira.acme.eu\\@evil.example/plugins/servlet/oidc/callback", TestName = "{m}(backslash before another host)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/%63allback", TestName = "{m}(percent-encoded path character)")]
    [TestCase("https://jira.acme.eu/plugins%2Fservlet/oidc/callback", TestName = "{m}(percent-encoded slash)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/../oidc/callback", TestName = "{m}(dot-dot segment)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback/../../../../evil", TestName = "{m}(dot-dot segments out of the path)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback;jsessionid=evil", TestName = "{m}(semicolon path parameter)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/;/callback", TestName = "{m}(semicolon segment)")]
    [TestCase("https://jira.acme.eu:8443/plugins/servlet/oidc/callback", TestName = "{m}(other port)")]
    [TestCase("https://jira.acme.eu:443/plugins/servlet/oidc/callback", TestName = "{m}(default port written out)")]
    [TestCase("http://jira.acme.eu/plugins/servlet/oidc/callback", TestName = "{m}(http for https)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callbackevil", TestName = "{m}(registered URI as a prefix)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback/evil", TestName = "{m}(registered URI as a prefix of a longer path)")]
    [TestCase("https://jira.acme.eu.evil.example/plugins/servlet/oidc/callback", TestName = "{m}(registered host as a prefix of another host)")]
    [TestCase("https://jira.acme.eu./plugins/servlet/oidc/callback", TestName = "{m}(fully qualified host with trailing dot)")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback%20", TestName = "{m}(trailing encoded space)")]
    [TestCase("//jira.acme.eu/plugins/servlet/oidc/callback", TestName = "{m}(scheme-relative)")]
    public async Task A_redirect_uri_that_is_not_exactly_a_registered_one_gets_an_error_page_and_no_redirect(string redirectUri)
    {
        TestOrganization org = await SharedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: ("redirect_uri", redirectUri)));

        await AssertErrorPageAsync(response, $"The redirect URI {redirectUri} is not registered for client 'atlassian'.");
    }

    [Test]
    public async Task A_redirect_uri_variant_is_refused_even_for_a_signed_in_user_so_no_code_leaks()
    {
        // RFC 9700 §4.1.1: the attack targets a user with a session, whose code would be sent along at once.
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: [("redirect_uri", JiraCallback + "/../../evil"), ("prompt", "none")]));

        await AssertErrorPageAsync(response, "is not registered for client 'atlassian'.");
    }

    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback", "https://evil.example/cb")]
    [TestCase("https://evil.example/cb", "https://jira.acme.eu/plugins/servlet/oidc/callback")]
    public async Task A_repeated_redirect_uri_gets_an_error_page_and_no_redirect(string first, string second)
    {
        // RFC 6749 §3.1 ("Request and response parameters MUST NOT be included more than once"); which of the two a
        // server or a proxy in front of it reads is the parameter-pollution attack on redirect_uri.
        TestOrganization org = await SharedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: ("redirect_uri", first)) + "&redirect_uri=" + Uri.EscapeDataString(second));

        await AssertErrorPageAsync(response, "The sign-in request for client 'atlassian' has more than one redirect_uri.");
    }

    [Test]
    public async Task A_redirect_uri_with_markup_is_shown_encoded_on_the_error_page()
    {
        // RFC 6749 §4.1.2.1 makes the error page show the request; RFC 9700 §4.16 (the page must not become an XSS).
        TestOrganization org = await SharedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        const string Markup = "https://jira.acme.eu/\"><script>alert(1)</script>";

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: ("redirect_uri", Markup)));

        string html = await response.Content.ReadAsStringAsync();
        await AssertErrorPageAsync(response, $"The redirect URI {Markup} is not registered");
        Assert.That(html, Does.Not.Contain("<script>").And.Contain("&lt;script&gt;"));
    }

    [Test]
    public async Task A_state_with_url_syntax_is_encoded_and_cannot_add_parameters_to_the_redirect()
    {
        // RFC 6749 §4.1.2: state is returned "exactly" as received, so it is one encoded value, never more parameters
        // (an injected code or iss would be a mix-up or code injection, RFC 9700 §4.4 and §4.5).
        TestOrganization org = await SharedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        const string Injected = "s&code=attackers&iss=https://evil.example#frag";

        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, extra: ("state", Injected)));

        Assert.That(callback.Fragment, Is.Empty);
        string[] names = [.. callback.Query.TrimStart('?').Split('&').Select(p => p[..p.IndexOf('=', StringComparison.Ordinal)])];
        Assert.That(names, Is.EquivalentTo(new[] { "code", "state", "iss" }));
        Assert.That(Query(callback)["state"], Is.EqualTo(Injected));
        Assert.That(Query(callback)["iss"], Is.EqualTo(org.Issuer));
    }

    [Test]
    public async Task A_logout_state_with_url_syntax_is_encoded_and_cannot_add_parameters_to_the_return_address()
    {
        // RP-Initiated Logout 1.0 §3: state is passed back "as a query parameter"; one encoded value.
        TestOrganization org = await SharedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        HttpResponseMessage tokens = await TokenAsync(org, ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback));
        string idToken = (await JsonAsync(tokens)).GetProperty("id_token").GetString()!;

        HttpResponseMessage logout = await browser.GetAsync(
            $"/{org.Slug}/logout?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString("https://jira.acme.eu/")}&state={Uri.EscapeDataString("bye&next=https://evil.example/#x")}");

        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(logout.Headers.Location!.OriginalString, Is.EqualTo("https://jira.acme.eu/?state=bye%26next%3Dhttps%3A%2F%2Fevil.example%2F%23x"));
    }

    // OpenID Connect RP-Initiated Logout 1.0 §3 (post_logout_redirect_uri "MUST have been previously registered";
    // compared as exactly as redirect_uri, OIDC Core §3.1.2.1); RFC 9700 §4.11 (open redirection). The registered URI is
    // https://jira.acme.eu/.
    [TestCase("https://evil.example/", true, TestName = "{m}(another host)")]
    [TestCase("https://jira.acme.eu", true, TestName = "{m}(without the trailing slash)")]
    [TestCase("https://jira.acme.eu/?next=https://evil.example/", true, TestName = "{m}(extra query)")]
    [TestCase("https://jira.acme.eu/evil", true, TestName = "{m}(registered URI as a prefix)")]
    [TestCase("https://JIRA.acme.eu/", true, TestName = "{m}(host in upper case)")]
    [TestCase("https://jira.acme.eu@evil.example/", true, TestName = "{m}(registered host as user info)")]
    [TestCase("http://jira.acme.eu/", true, TestName = "{m}(http for https)")]
    [TestCase("https://jira.acme.eu/", false, TestName = "{m}(registered, but no client named)")]
    public async Task An_unregistered_post_logout_redirect_uri_gets_an_error_page_no_redirect_and_ends_no_session(string postLogoutRedirectUri, bool nameClient)
    {
        TestOrganization org = await SharedOrganizationAsync();
        var cookies = new CookieContainer();
        using HttpClient browser = Server.CreateClient(cookies);
        await SignInAsync(browser, org);
        string query = $"post_logout_redirect_uri={Uri.EscapeDataString(postLogoutRedirectUri)}&state=bye" + (nameClient ? "&client_id=atlassian" : string.Empty);

        HttpResponseMessage response = await browser.GetAsync($"/{org.Slug}/logout?{query}");

        await AssertErrorPageAsync(response, "The sign-out request names a client or return address that is not registered");
        Assert.That(await IsSignedInAsync(org, SessionSecret(cookies, org)!), Is.True, "a refused logout ends nothing");
    }

    [Test]
    public async Task An_unregistered_post_logout_redirect_uri_with_a_valid_id_token_hint_gets_no_redirect()
    {
        // RP-Initiated Logout §3: the hint names the client; the URI must still be one of that client's.
        TestOrganization org = await Server.SeedOrganizationAsync();
        var cookies = new CookieContainer();
        using HttpClient browser = Server.CreateClient(cookies);
        Uri callback = await SignInAsync(browser, org);
        HttpResponseMessage tokens = await TokenAsync(org, ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback));
        string idToken = (await JsonAsync(tokens)).GetProperty("id_token").GetString()!;

        HttpResponseMessage response = await browser.GetAsync(
            $"/{org.Slug}/logout?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString("https://evil.example/")}");

        await AssertErrorPageAsync(response, "The sign-out request names a client or return address that is not registered");
        Assert.That(await IsSignedInAsync(org, SessionSecret(cookies, org)!), Is.True);
    }
}
