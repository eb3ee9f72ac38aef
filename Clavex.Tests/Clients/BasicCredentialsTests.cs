using System.Text;
using Clavex.Core.Clients;

namespace Clavex.Tests.Clients;

public sealed class BasicCredentialsTests
{
    [Test]
    public void A_plain_id_and_secret_are_read()
    {
        Assert.That(BasicCredentials.TryParse(Header("jira:s3cret"), out BasicCredentials? credentials), Is.True);
        Assert.That(credentials, Is.EqualTo(new BasicCredentials("jira", "s3cret")));
    }

    [Test]
    public void Atlassian_style_form_urlencoded_id_and_secret_are_decoded()
    {
        // What Atlassian's SSO sends: each half form-urlencoded (':' → %3A, '+' → %2B, '%' → %25, ' ' → '+',
        // non-ASCII as UTF-8 escapes), then joined with ':' and base64-encoded.
        const string Raw = "jira%3Aprod%2B1%25:p%40ss%3Aw%2Brd%25+%C3%BC%E2%82%AC";

        Assert.That(BasicCredentials.TryParse(Header(Raw), out BasicCredentials? credentials), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(credentials!.ClientId, Is.EqualTo("jira:prod+1%"));
            Assert.That(credentials.ClientSecret, Is.EqualTo("p@ss:w+rd% ü€"));
        }
    }

    [TestCase("jira:prod", "se:cr+et% ü")]
    [TestCase("Jira Ünïcode", "+++%%%:::")]
    [TestCase("jira", "cs_Kq3VZbT0pLw8GxR2mYdNf5uAeHs9JcW1oQ7iBk4tEz6")]
    public void Values_encoded_as_Atlassian_does_round_trip(string clientId, string clientSecret)
    {
        string header = Header($"{FormEncode(clientId)}:{FormEncode(clientSecret)}");

        Assert.That(BasicCredentials.TryParse(header, out BasicCredentials? credentials), Is.True);
        Assert.That(credentials, Is.EqualTo(new BasicCredentials(clientId, clientSecret)));
    }

    [Test]
    public void Only_the_first_colon_separates_id_and_secret()
    {
        Assert.That(BasicCredentials.TryParse(Header("jira:se:cret"), out BasicCredentials? credentials), Is.True);
        Assert.That(credentials!.ClientSecret, Is.EqualTo("se:cret"));
    }

    [Test]
    public void Unencoded_UTF8_from_a_client_that_skips_form_encoding_is_read_as_is()
    {
        Assert.That(BasicCredentials.TryParse(Header("jira:pässwörd"), out BasicCredentials? credentials), Is.True);
        Assert.That(credentials!.ClientSecret, Is.EqualTo("pässwörd"));
    }

    [Test]
    public void An_empty_secret_is_read_as_empty()
    {
        Assert.That(BasicCredentials.TryParse(Header("jira:"), out BasicCredentials? credentials), Is.True);
        Assert.That(credentials!.ClientSecret, Is.Empty);
    }

    [TestCase("Basic")]
    [TestCase("basic")]
    [TestCase("BASIC")]
    [TestCase("bAsIc")]
    public void The_scheme_name_is_case_insensitive(string scheme)
    {
        string header = $"{scheme} {Convert.ToBase64String("jira:s3cret"u8)}";

        Assert.That(BasicCredentials.TryParse(header, out BasicCredentials? credentials), Is.True);
        Assert.That(credentials!.ClientId, Is.EqualTo("jira"));
    }

    [Test]
    public void Extra_spaces_around_the_token_are_allowed()
    {
        string header = $"  Basic   {Convert.ToBase64String("jira:s3cret"u8)}  ";

        Assert.That(BasicCredentials.TryParse(header, out BasicCredentials? credentials), Is.True);
        Assert.That(credentials!.ClientSecret, Is.EqualTo("s3cret"));
    }

    [TestCase(null, TestName = "No header is not Basic")]
    [TestCase("", TestName = "An empty header is not Basic")]
    [TestCase("Basic", TestName = "A scheme without a token is malformed")]
    [TestCase("Basic ", TestName = "A scheme with a blank token is malformed")]
    [TestCase("Bearer amlyYTpzM2NyZXQ=", TestName = "Another scheme is not Basic")]
    [TestCase("Basicamlyyfpzm2nyzxq=", TestName = "A scheme not followed by a space is not Basic")]
    [TestCase("Basic amlyYTpzM2NyZXQ", TestName = "Base64 without its padding is malformed")]
    [TestCase("Basic amlyYTpz M2NyZXQ=", TestName = "Base64 with a space inside is malformed")]
    [TestCase("Basic amlyYTpzM2NyZXQ=====", TestName = "Base64 with too much padding is malformed")]
    [TestCase("Basic amlyYTpzM2NyZX!=", TestName = "A character outside base64 is malformed")]
    [TestCase("Basic amlyYS1zM2NyZXQ=", TestName = "Credentials without a colon are malformed")]
    public void A_malformed_header_is_refused(string? header)
    {
        Assert.That(BasicCredentials.TryParse(header, out BasicCredentials? credentials), Is.False);
        Assert.That(credentials, Is.Null);
    }

    [TestCase(":s3cret", TestName = "An empty client id is refused")]
    [TestCase("jira%3:s3cret", TestName = "A percent-escape with one hex digit is refused")]
    [TestCase("jira:s3cret%", TestName = "A percent sign at the end is refused")]
    [TestCase("jira%zz:s3cret", TestName = "A percent-escape with non-hex digits is refused")]
    [TestCase("jira:%C3%28", TestName = "A percent-escape decoding to invalid UTF-8 is refused")]
    [TestCase("jira:%C3", TestName = "A truncated UTF-8 sequence is refused")]
    public void Malformed_credentials_are_refused(string raw)
    {
        Assert.That(BasicCredentials.TryParse(Header(raw), out _), Is.False);
    }

    [Test]
    public void Raw_bytes_that_are_not_UTF8_are_refused()
    {
        string header = "Basic " + Convert.ToBase64String([(byte)'j', (byte)':', 0xFF, 0xFE]);

        Assert.That(BasicCredentials.TryParse(header, out _), Is.False);
    }

    [Test]
    public void ToString_never_shows_the_secret()
    {
        var credentials = new BasicCredentials("jira", "cs_TopSecret");

        Assert.That(credentials.ToString(), Does.Contain("jira").And.Not.Contain("TopSecret"));
    }

    internal static string Header(string raw) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(raw));

    /// <summary>application/x-www-form-urlencoded, as Java's URLEncoder (and so Atlassian) produces it.</summary>
    internal static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);
}
