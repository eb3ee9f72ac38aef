using Clavex.Core.Jose;
using Clavex.Server.Login;

namespace Clavex.Tests.Login;

public sealed class AntiforgeryTokensTests
{
    [Test]
    public void A_new_token_is_32_random_bytes_in_base64url()
    {
        string token = AntiforgeryTokens.NewToken();

        Assert.That(token, Does.Match("^[A-Za-z0-9_-]{43}$"));
        Assert.That(Base64UrlEncoding.DecodeOrNull(token), Has.Length.EqualTo(32));
    }

    [Test]
    public void Two_new_tokens_differ()
    {
        string first = AntiforgeryTokens.NewToken();
        string second = AntiforgeryTokens.NewToken();

        Assert.That(first, Is.Not.EqualTo(second));
    }

    [Test]
    public void The_same_token_in_cookie_and_form_validates()
    {
        string token = AntiforgeryTokens.NewToken();

        Assert.That(AntiforgeryTokens.Validate(token, new string(token.AsSpan())), Is.True);
    }

    [Test]
    public void Different_tokens_do_not_validate()
    {
        Assert.That(AntiforgeryTokens.Validate(AntiforgeryTokens.NewToken(), AntiforgeryTokens.NewToken()), Is.False);
    }

    [Test]
    public void A_token_differing_in_its_last_character_does_not_validate()
    {
        string token = AntiforgeryTokens.NewToken();
        string other = token[..^1] + (token[^1] == 'A' ? 'Q' : 'A');

        Assert.That(AntiforgeryTokens.Validate(token, other), Is.False);
    }

    [TestCase(true, false, TestName = "A missing form field does not validate")]
    [TestCase(false, true, TestName = "A missing cookie does not validate")]
    [TestCase(false, false, TestName = "Neither present does not validate")]
    public void Both_values_are_required(bool withCookie, bool withForm)
    {
        string token = AntiforgeryTokens.NewToken();

        Assert.That(AntiforgeryTokens.Validate(withCookie ? token : null, withForm ? token : null), Is.False);
    }

    [TestCase("", TestName = "Equal empty values do not validate")]
    [TestCase("abc", TestName = "Equal short values do not validate")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", TestName = "Equal padded values do not validate")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", TestName = "Equal values in standard base64 do not validate")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", TestName = "Equal values with non-zero trailing bits do not validate")]
    public void Equal_values_of_the_wrong_shape_do_not_validate(string value)
    {
        Assert.That(AntiforgeryTokens.Validate(value, value), Is.False);
    }

    [Test]
    public void A_form_value_with_surrounding_whitespace_does_not_validate()
    {
        string token = AntiforgeryTokens.NewToken();

        Assert.That(AntiforgeryTokens.Validate(token, token + " "), Is.False);
    }

    [TestCase(true, "__Host-clavex-af")]
    [TestCase(false, "clavex-af")]
    public void The_cookie_is_host_prefixed_only_over_HTTPS(bool overHttps, string expected)
    {
        Assert.That(AntiforgeryTokens.CookieName(overHttps), Is.EqualTo(expected));
    }

    [Test]
    public void The_secure_cookie_is_HttpOnly_SameSite_Strict_Secure_and_for_the_whole_host()
    {
        string token = AntiforgeryTokens.NewToken();

        Assert.That(AntiforgeryTokens.SetCookieHeader(AntiforgeryTokens.CookieName(true), token, secure: true),
            Is.EqualTo($"__Host-clavex-af={token}; Path=/; Secure; HttpOnly; SameSite=Strict"));
    }

    [Test]
    public void The_plain_HTTP_cookie_leaves_out_Secure()
    {
        string token = AntiforgeryTokens.NewToken();

        Assert.That(AntiforgeryTokens.SetCookieHeader(AntiforgeryTokens.CookieName(false), token, secure: false),
            Is.EqualTo($"clavex-af={token}; Path=/; HttpOnly; SameSite=Strict"));
    }

    [Test]
    public void A_host_prefixed_cookie_without_Secure_is_refused()
    {
        Assert.That(() => AntiforgeryTokens.SetCookieHeader("__Host-clavex-af", AntiforgeryTokens.NewToken(), secure: false), Throws.ArgumentException);
    }

    [Test]
    public void A_cookie_value_that_could_inject_attributes_is_refused()
    {
        Assert.That(() => AntiforgeryTokens.SetCookieHeader("clavex-af", "x; Domain=acme.eu", secure: false), Throws.ArgumentException);
    }

    [Test]
    public void The_browsers_current_token_is_kept()
    {
        string token = AntiforgeryTokens.NewToken();

        Assert.That(AntiforgeryTokens.CurrentOrNew(token), Is.EqualTo(token));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("forged")]
    public void A_missing_or_malformed_cookie_gets_a_new_token(string? cookie)
    {
        string token = AntiforgeryTokens.CurrentOrNew(cookie);

        Assert.That(token, Is.Not.EqualTo(cookie).And.Match("^[A-Za-z0-9_-]{43}$"));
    }
}
