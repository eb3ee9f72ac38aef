using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Clavex.Server.Login;

namespace Clavex.Tests.Login;

public sealed partial class SecurityHeadersTests
{
    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [GeneratedRegex("<img [^>]*src=\"([^\"]*)\"")]
    private static partial Regex ImageSource();

    [Test]
    public void A_form_page_is_sent_with_exactly_these_headers()
    {
        string styleHash = HashSource(StyleElement().Match(PageSamples.Login()).Groups[1].Value);

        Assert.That(SecurityHeaders.For(PageKind.Login), Is.EqualTo(new KeyValuePair<string, string>[]
        {
            new("Content-Security-Policy", $"default-src 'none'; style-src {styleHash}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
            new("X-Content-Type-Options", "nosniff"),
            new("Referrer-Policy", "no-referrer"),
            new("Cache-Control", "no-store"),
        }));
    }

    [TestCase(PageKind.Login, "'self'")]
    [TestCase(PageKind.Consent, "'self'")]
    [TestCase(PageKind.LogoutConfirm, "'self'")]
    [TestCase(PageKind.LoggedOut, "'none'")]
    [TestCase(PageKind.Error, "'none'")]
    public void Forms_may_post_only_to_this_origin_and_pages_without_a_form_nowhere(PageKind kind, string formAction)
    {
        Assert.That(Directives(SecurityHeaders.For(kind))["form-action"], Is.EqualTo(new[] { formAction }));
    }

    [TestCaseSource(typeof(PageSamples), nameof(PageSamples.All))]
    public void The_policy_hashes_are_those_of_the_inline_style_and_script_in_the_page(string html, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var styles = StyleElement().Matches(html).Select(match => HashSource(match.Groups[1].Value)).ToList();
        var scripts = ScriptElement().Matches(html).Select(match => HashSource(match.Groups[1].Value)).ToList();
        var directives = Directives(headers);

        using (Assert.EnterMultipleScope())
        {
            // The fixed stylesheet, and a branded page's accent colour: each allowed by its hash and nothing else.
            Assert.That(styles, Has.Count.EqualTo(html.Contains("--accent:", StringComparison.Ordinal) ? 2 : 1));
            Assert.That(directives["style-src"], Is.EquivalentTo(styles));
            Assert.That(directives.GetValueOrDefault("script-src", []), Is.EquivalentTo(scripts));
            Assert.That(directives["default-src"], Is.EqualTo(new[] { "'none'" }));
            Assert.That(directives["frame-ancestors"], Is.EqualTo(new[] { "'none'" }));
            Assert.That(directives["base-uri"], Is.EqualTo(new[] { "'none'" }));
            Assert.That(headers[0].Value, Does.Not.Contain("unsafe"));
        }
    }

    [TestCaseSource(typeof(PageSamples), nameof(PageSamples.All))]
    public void Images_load_only_from_the_organisations_logo_origin(string html, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var images = ImageSource().Matches(html).Select(match => match.Groups[1].Value).ToList();
        var directives = Directives(headers);

        if (images.Count == 0)
        {
            Assert.That(directives.ContainsKey("img-src"), Is.False, "no image, no img-src: default-src 'none' refuses every image");
            return;
        }

        Assert.That(images, Is.EqualTo(new[] { "https://cdn.acme.eu/brand/logo.svg" }));
        Assert.That(directives["img-src"], Is.EqualTo(new[] { "https://cdn.acme.eu" }));
    }

    [TestCaseSource(typeof(PageSamples), nameof(PageSamples.All))]
    public void Every_page_is_sent_nosniff_no_referrer_and_no_store(string html, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Assert.That(headers.Skip(1), Is.EqualTo(new KeyValuePair<string, string>[]
        {
            new("X-Content-Type-Options", "nosniff"), new("Referrer-Policy", "no-referrer"), new("Cache-Control", "no-store"),
        }));
    }

    [Test]
    public void The_form_post_policy_allows_its_script_and_a_post_to_the_redirect_uris_origin()
    {
        var directives = Directives(SecurityHeaders.ForFormPost(PageSamples.JiraCallback));

        Assert.That(directives["form-action"], Is.EqualTo(new[] { "'self'", "https://jira.acme.eu" }));
        Assert.That(directives["script-src"], Is.EqualTo(new[] { HashSource("document.forms[0].submit();") }));
    }

    [TestCase("https://jira.acme.eu/plugins/servlet/oauth/callback?x=1#f", "https://jira.acme.eu")]
    [TestCase("https://JIRA.Acme.EU:443/cb", "https://jira.acme.eu")]
    [TestCase("https://jira.acme.eu:8443/cb", "https://jira.acme.eu:8443")]
    [TestCase("http://localhost:8080/cb", "http://localhost:8080")]
    [TestCase("https://user:secret@jira.acme.eu/cb", "https://jira.acme.eu")]
    [TestCase("https://bücher.example/cb", "https://xn--bcher-kva.example")]
    [TestCase("https://[::1]:8443/cb", "https://[::1]:8443")]
    public void The_form_action_source_is_the_redirect_uris_origin(string redirectUri, string origin)
    {
        Assert.That(Directives(SecurityHeaders.ForFormPost(redirectUri))["form-action"], Is.EqualTo(new[] { "'self'", origin }));
    }

    [TestCase("javascript:alert(1)")]
    [TestCase("jira.acme.eu/cb")]
    [TestCase("ftp://jira.acme.eu/cb")]
    public void A_form_post_policy_for_a_non_http_redirect_uri_is_refused(string redirectUri)
    {
        Assert.That(() => SecurityHeaders.ForFormPost(redirectUri), Throws.ArgumentException);
    }

    private static string HashSource(string content) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)))}'";

    private static Dictionary<string, string[]> Directives(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        string policy = headers.Single(header => header.Key == "Content-Security-Policy").Value;
        return policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(directive => directive.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[0], parts => parts[1..]);
    }

    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback", "form-action 'self' https://jira.acme.eu;")]
    [TestCase("http://127.0.0.1:8080/signin-oidc", "form-action 'self' http://127.0.0.1:8080;")]
    [TestCase("com.acme.app:/callback", "form-action 'self' com.acme.app:;")]
    public void A_login_form_may_end_in_the_redirect_to_the_client(string redirectUri, string expected)
    {
        // Browsers apply form-action to the redirect answering the POST; without the client's origin the user is stuck.
        string csp = SecurityHeaders.For(PageKind.Login, redirectUri).Single(h => h.Key == SecurityHeaders.ContentSecurityPolicy).Value;

        Assert.That(csp, Does.Contain(expected));
    }
}
