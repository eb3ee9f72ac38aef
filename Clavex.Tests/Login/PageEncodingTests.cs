using System.Xml.Linq;

namespace Clavex.Tests.Login;

/// <summary>
/// Hostile values in every slot a page has. Each must come back from parsing as exactly the text that went in, and
/// must add no element or attribute of its own.
/// </summary>
public sealed class PageEncodingTests
{
    private const string Hostile = "\"'><script>alert(\"x&y\")</script><img src=x onerror=alert(1)>&amp;";
    private const string HostileRedirectUri = "https://jira.acme.eu/cb?next=\"'><script>alert(1)</script>&amp;";

    private static readonly HashSet<string> PageElements =
    [
        "html", "head", "meta", "title", "style", "body", "main", "p", "h1", "form", "input", "label", "button", "ul", "li", "code", "noscript", "script",
    ];

    private static readonly KeyValuePair<string, string>[] HostileParameters = [new("client_id", "atlassian"), new(Hostile, Hostile)];

    [Test]
    public void The_login_page_encodes_organisation_client_username_error_action_and_hidden_fields()
    {
        string html = PageSamples.Login(organization: Hostile, client: Hostile, username: Hostile, error: Hostile, parameters: HostileParameters, action: Hostile);
        var page = ParseWithoutInjection(html, scripts: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Single("title").Value, Is.EqualTo($"Sign in to {Hostile} – {Hostile}"));
            Assert.That(page.Elements("p").First().Value, Is.EqualTo(Hostile));
            Assert.That(page.Single("h1").Value, Is.EqualTo($"Sign in to {Hostile}"));
            Assert.That(page.Elements("p").Single(p => (string?)p.Attribute("role") == "alert").Value, Is.EqualTo(Hostile));
            Assert.That(page.Elements("input").Single(input => (string?)input.Attribute("id") == "username").Attribute("value")?.Value, Is.EqualTo(Hostile));
            Assert.That(page.Single("form").Attribute("action")?.Value, Is.EqualTo(Hostile));
            Assert.That(page.HiddenFields, Does.Contain(new KeyValuePair<string, string>(Hostile, Hostile)));
        }
    }

    [Test]
    public void The_consent_page_encodes_organisation_client_unknown_scopes_and_hidden_fields()
    {
        string html = PageSamples.Consent(organization: Hostile, client: Hostile, scopes: ["openid", Hostile], parameters: HostileParameters);
        var page = ParseWithoutInjection(html, scripts: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Elements("p").First().Value, Is.EqualTo(Hostile));
            Assert.That(page.Single("h1").Value, Is.EqualTo($"Allow {Hostile} to use your account?"));
            Assert.That(page.Elements("li").Select(li => li.Value), Is.EqualTo(new[] { "Sign you in", Hostile }));
            Assert.That(page.HiddenFields, Does.Contain(new KeyValuePair<string, string>(Hostile, Hostile)));
        }
    }

    [Test]
    public void The_logout_pages_encode_the_organisation_and_hidden_fields()
    {
        var confirm = ParseWithoutInjection(PageSamples.LogoutConfirm(organization: Hostile, parameters: HostileParameters), scripts: 0);
        var done = ParseWithoutInjection(PageSamples.LoggedOut(organization: Hostile), scripts: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(confirm.Single("h1").Value, Is.EqualTo($"Sign out of {Hostile}?"));
            Assert.That(confirm.HiddenFields, Does.Contain(new KeyValuePair<string, string>(Hostile, Hostile)));
            Assert.That(done.Single("h1").Value, Is.EqualTo($"You have signed out of {Hostile}"));
        }
    }

    [Test]
    public void The_error_page_encodes_title_message_and_reference()
    {
        var page = ParseWithoutInjection(PageSamples.Error(title: Hostile, message: Hostile, reference: Hostile), scripts: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Single("title").Value, Is.EqualTo(Hostile));
            Assert.That(page.Single("h1").Value, Is.EqualTo(Hostile));
            Assert.That(page.Elements("p").Select(p => p.Value), Is.EqualTo(new[] { Hostile, $"Reference: {Hostile}", Clavex.Server.Login.PageTexts.English.SendReference }));
        }
    }

    [Test]
    public void The_form_post_page_encodes_the_redirect_uri_and_every_parameter()
    {
        var page = ParseWithoutInjection(PageSamples.FormPost(HostileRedirectUri, [new("state", Hostile), new(Hostile, "x")]), scripts: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Single("form").Attribute("action")?.Value, Is.EqualTo(HostileRedirectUri));
            Assert.That(page.HiddenFields, Is.EqualTo(new KeyValuePair<string, string>[] { new("state", Hostile), new(Hostile, "x") }));
        }
    }

    [Test]
    public void Line_breaks_and_non_ASCII_in_hidden_values_survive()
    {
        const string value = "line one\nline two\ttab Amélie 🔑";
        var page = HtmlPage.Parse(PageSamples.FormPost(parameters: [new("state", value)]));

        Assert.That(page.HiddenFields.Single().Value, Is.EqualTo(value));
    }

    private static HtmlPage ParseWithoutInjection(string html, int scripts)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(html, Does.Not.Contain("<script>alert").And.Not.Contain("<img").And.Not.Contain("'>"));
            Assert.That(html, Does.Not.Contain(Hostile));
        }

        var page = HtmlPage.Parse(html);
        var attributes = page.Document.Descendants().Attributes().Select(attribute => attribute.Name.LocalName);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Document.Descendants().Select(element => element.Name.LocalName).Distinct(), Is.SubsetOf(PageElements));
            Assert.That(page.Elements("script").Count(), Is.EqualTo(scripts));
            Assert.That(attributes, Has.None.EqualTo("onerror").And.None.EqualTo("src"));
        }

        return page;
    }
}
