using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clavex.Server.Login;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 15, end-user pages: texts in the user's language (ui_locales, then Accept-Language), the organisation's
/// display name, logo and accent colour, the username kept after a failed attempt, a link back to the application
/// after logout, and the Reference to send to an administrator on error pages.
/// </summary>
public class PageLanguageAndBrandingTests : AdminTestBase
{
    private static readonly PageTexts German = PageTexts.For("de");

    [Test]
    public async Task A_browser_asking_for_german_gets_the_login_page_in_german_and_ui_locales_wins_over_it()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage german = await GetAsync(browser, AuthorizeUrl(org), "de-DE,de;q=0.9,en;q=0.8");
        string page = await german.Content.ReadAsStringAsync();
        Assert.That(german.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page, Does.StartWith("<!DOCTYPE html>\n<html lang=\"de\">"));
        Assert.That(page, Does.Contain("<h1>Bei Jira &#x2B; Confluence anmelden</h1>"));
        Assert.That(page, Does.Contain($"<label for=\"password\">{German.Password}</label>"));
        Assert.That(german.Content.Headers.ContentLanguage, Is.EqualTo(new[] { "de" }));
        Assert.That(german.Headers.Vary, Does.Contain("Accept-Language"));

        // OIDC Core §3.1.2.1: the relying party's ui_locales, in order of preference, beat the browser's setting.
        HttpResponseMessage english = await GetAsync(browser, AuthorizeUrl(org, extra: ("ui_locales", "en")), "de");
        Assert.That(await english.Content.ReadAsStringAsync(), Does.StartWith("<!DOCTYPE html>\n<html lang=\"en\">").And.Contain("<label for=\"password\">Password</label>"));
        HttpResponseMessage firstKnown = await GetAsync(browser, AuthorizeUrl(org, extra: ("ui_locales", "fr-CA de")), "en");
        Assert.That(await firstKnown.Content.ReadAsStringAsync(), Does.StartWith("<!DOCTYPE html>\n<html lang=\"de\">"));
    }

    [Test]
    public async Task A_wrong_password_keeps_the_username_and_says_so_in_the_pages_language()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await GetAsync(browser, AuthorizeUrl(org, extra: ("ui_locales", "de")), null);
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage refused = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", "wrong password!").ToContent());

        string again = await refused.Content.ReadAsStringAsync();
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(again, Does.Contain(German.IncorrectCredentials));
        Assert.That(again, Does.Contain("name=\"username\" type=\"text\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required=\"\" value=\"alice\""));
        Assert.That(again, Does.Contain("autocomplete=\"current-password\" required=\"\" aria-describedby=\"error\" autofocus=\"\""), "focus on the password");
        Assert.That(HtmlForm.Find(again, "/login").Get("ui_locales"), Is.EqualTo("de"), "the language stays for the next step");
    }

    [Test]
    public async Task The_organisations_logo_and_accent_colour_are_shown_and_allowed_by_the_pages_policy_alone()
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonElement patched = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}",
            """{"display_name":"Acme Europe","logo_uri":"https://cdn.acme.eu/brand/logo.svg","accent_color":"#0b5394"}""", HttpStatusCode.OK);
        Assert.That(patched.GetProperty("logo_uri").GetString(), Is.EqualTo("https://cdn.acme.eu/brand/logo.svg"));
        Assert.That(patched.GetProperty("accent_color").GetString(), Is.EqualTo("#0b5394"));
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await GetAsync(browser, AuthorizeUrl(org), null);

        string page = await response.Content.ReadAsStringAsync();
        string policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(page, Does.Contain("<img class=\"logo\" alt=\"\" src=\"https://cdn.acme.eu/brand/logo.svg\" />\n<p class=\"org\">Acme Europe</p>"));
        Assert.That(page, Does.Contain("<style>:root{--accent:#0b5394}</style>"));
        Assert.That(policy, Does.Contain("img-src https://cdn.acme.eu;"));
        Assert.That(policy, Does.Contain(HashSource(":root{--accent:#0b5394}")));
        Assert.That(policy, Does.Not.Contain("unsafe"));

        // null removes both (RFC 7396); the page is back to the default look and the policy to no images at all.
        JsonElement cleared = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"logo_uri":null,"accent_color":null}""", HttpStatusCode.OK);
        Assert.That(cleared.GetProperty("logo_uri").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(cleared.GetProperty("accent_color").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(cleared.GetProperty("display_name").GetString(), Is.EqualTo("Acme Europe"));
        HttpResponseMessage plain = await GetAsync(browser, AuthorizeUrl(org), null);
        Assert.That(await plain.Content.ReadAsStringAsync(), Does.Not.Contain("<img").And.Not.Contain("--accent:"));
        Assert.That(plain.Headers.GetValues("Content-Security-Policy").Single(), Does.Not.Contain("img-src"));
    }

    [TestCase("""{"accent_color":"#ffd700"}""", "accent_color has a contrast ratio of 1.4:1 against the white text of buttons")]
    [TestCase("""{"accent_color":"red"}""", "accent_color must be a colour written #rrggbb")]
    [TestCase("""{"logo_uri":"http://cdn.acme.eu/logo.png"}""", "logo_uri must use https")]
    [TestCase("""{"logo_uri":"https://cdn.acme.eu/x.png; script-src *"}""", "logo_uri must be a URL in plain ASCII")]
    [TestCase("""{"logo_uri":"javascript:alert(1)"}""", "logo_uri must be an absolute https URL")]
    public async Task Branding_that_would_be_unreadable_or_unsafe_is_refused_and_changes_nothing(string body, string description)
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"logo_uri":"https://cdn.acme.eu/logo.png","accent_color":"#1d4ed8"}""", HttpStatusCode.OK);

        JsonElement error = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", body, HttpStatusCode.BadRequest);

        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith(description));
        JsonElement kept = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}", null, HttpStatusCode.OK);
        Assert.That(kept.GetProperty("logo_uri").GetString(), Is.EqualTo("https://cdn.acme.eu/logo.png"));
        Assert.That(kept.GetProperty("accent_color").GetString(), Is.EqualTo("#1d4ed8"));
    }

    [Test]
    public async Task After_logout_without_a_return_address_the_page_links_back_to_the_clients_home_page()
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonElement client = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}/clients/atlassian",
            """{"client_uri":"https://jira.acme.eu/","client_name":"Jira"}""", HttpStatusCode.OK);
        Assert.That(client.GetProperty("client_uri").GetString(), Is.EqualTo("https://jira.acme.eu/"));
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await GetAsync(browser, $"/{org.Slug}/logout?client_id=atlassian", "de");

        string page = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page, Does.Contain("<a class=\"button\" href=\"https://jira.acme.eu/\">Zur&#xFC;ck zu Jira</a>"));
        Assert.That(page, Does.Not.Contain(German.CloseWindow));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("form-action 'none'"));

        // Without client_uri, or without a client named, the page says the window can be closed.
        HttpResponseMessage anonymous = await GetAsync(browser, $"/{org.Slug}/logout", null);
        Assert.That(await anonymous.Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.CloseWindow).And.Not.Contain("<a class=\"button\""));
    }

    [TestCase("""{"client_uri":"javascript:alert(1)"}""", "client_uri must be an absolute https URL")]
    [TestCase("""{"client_uri":"http://jira.acme.eu/"}""", "client_uri must use https")]
    public async Task A_client_uri_that_is_not_a_safe_link_is_refused(string body, string description)
    {
        TestOrganization org = await NewOrganizationAsync();

        JsonElement error = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}/clients/atlassian", body, HttpStatusCode.BadRequest);

        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_client_metadata"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith(description));
    }

    [Test]
    public async Task An_error_page_asks_to_send_its_reference_to_an_administrator_in_the_pages_language()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await GetAsync(browser, $"/{org.Slug}/authorize?client_id=atlassian&redirect_uri=https%3A%2F%2Fevil.example%2F", "de");

        string page = await response.Content.ReadAsStringAsync();
        string reference = response.Headers.GetValues("X-Correlation-Id").Single();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page, Does.Contain($"<h1>{German.SignInRefusedTitle}</h1>"));
        Assert.That(page, Does.Contain($"<p>{German.Reference} <code>{reference}</code></p>"));
        Assert.That(page, Does.Contain("<p class=\"hint\">Wenn Sie Hilfe brauchen, senden Sie diese Referenz an Ihren Administrator"));
        Assert.That(page, Does.Contain($"<p class=\"org\">Acme {org.Slug}</p>"), "the organisation's page, not an anonymous one");
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient browser, string path, string? acceptLanguage)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        return browser.SendAsync(request);
    }

    private static string HashSource(string content) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)))}'";
}
