using Clavex.Server.Admin;

namespace Clavex.Tests.Login;

/// <summary>What an organisation's logo_uri, a client's client_uri and an accent colour may be.</summary>
public class PageLinksTests
{
    [TestCase("https://cdn.acme.eu/brand/logo.svg")]
    [TestCase("https://cdn.acme.eu:8443/logo.png?v=2")]
    [TestCase("http://127.0.0.1:8080/logo.png")]
    [TestCase("http://localhost/logo.png")]
    public void Absolute_https_urls_and_loopback_http_are_accepted(string uri)
    {
        Assert.That(PageLinks.Problem(uri), Is.Null);
    }

    [TestCase("/logo.png", "must be an absolute https URL")]
    [TestCase("javascript:alert(1)", "must be an absolute https URL")]
    [TestCase("data:image/png;base64,AAAA", "must be a URL in plain ASCII")]
    [TestCase("http://cdn.acme.eu/logo.png", "must use https")]
    [TestCase("https://user:pw@cdn.acme.eu/logo.png", "must not contain user information")]
    [TestCase("https://cdn.acme.eu/logo.png#top", "must not contain user information or a fragment")]
    [TestCase("https://cdn.acme.eu/a b.png", "must be a URL in plain ASCII")]
    [TestCase("https://cdn.acme.eu/a.png; script-src *", "must be a URL in plain ASCII")]
    [TestCase("https://cdn.acme.eu/\"onerror=x", "must be a URL in plain ASCII")]
    [TestCase("https://cdn.acme.eu/a,b.png", "must be a URL in plain ASCII")]
    [TestCase("https://bücher.example/logo.png", "must be a URL in plain ASCII")]
    public void Anything_that_could_break_the_page_or_its_policy_is_refused(string uri, string problem)
    {
        Assert.That(PageLinks.Problem(uri), Does.StartWith(problem));
    }

    [Test]
    public void A_url_over_2000_characters_is_refused()
    {
        Assert.That(PageLinks.Problem("https://cdn.acme.eu/" + new string('a', 2000)), Is.EqualTo("is longer than 2000 characters"));
    }

    [TestCase("#1d4ed8")]
    [TestCase("#0b5394")]
    [TestCase("#000000")]
    [TestCase("#767676")]
    public void Colours_white_text_is_readable_on_are_accepted(string color)
    {
        Assert.That(PageLinks.ColorProblem(color), Is.Null);
    }

    [TestCase("#ffffff", "has a contrast ratio of 1:1")]
    [TestCase("#ffd700", "has a contrast ratio of 1.4:1")]
    [TestCase("#777777", "has a contrast ratio of 4.48:1")]
    [TestCase("#1D4ED8", "must be a colour written #rrggbb in lowercase")]
    [TestCase("1d4ed8", "must be a colour written #rrggbb")]
    [TestCase("#1d4ed", "must be a colour written #rrggbb")]
    [TestCase("#1d4ed8;}body{display:none", "must be a colour written #rrggbb")]
    [TestCase("blue", "must be a colour written #rrggbb")]
    public void Unreadable_or_malformed_colours_are_refused(string color, string problem)
    {
        Assert.That(PageLinks.ColorProblem(color), Does.StartWith(problem));
    }
}
