using Clavex.Core.Jose;
using Clavex.Server.Login;

namespace Clavex.Tests.Login;

public sealed class AntiforgeryTokensTests
{
    private static readonly byte[] Key = AntiforgeryTokens.KeyFrom(new byte[32]);
    private static readonly byte[] OtherKey = AntiforgeryTokens.KeyFrom(Enumerable.Repeat((byte)1, 32).ToArray());
    [Test]
    public void A_new_token_is_32_random_bytes_and_16_bytes_of_their_mac_in_base64url()
    {
        string token = AntiforgeryTokens.NewToken(Key);

        Assert.That(token, Does.Match("^[A-Za-z0-9_-]{64}$"));
        byte[] bytes = Base64UrlEncoding.DecodeOrNull(token)!;
        Assert.That(bytes, Has.Length.EqualTo(48));
        byte[] mac = System.Security.Cryptography.HMACSHA256.HashData(Key, bytes[..32]);
        Assert.That(bytes[32..], Is.EqualTo(mac[..16]));
    }

    [Test]
    public void An_equal_pair_the_server_never_issued_does_not_validate()
    {
        // Issue 16: a planted cookie with the same value in the field (double submit without a server secret).
        byte[] forged = new byte[48];
        System.Security.Cryptography.RandomNumberGenerator.Fill(forged);
        string planted = Base64UrlEncoding.Encode(forged);
        string fromAnotherDeployment = AntiforgeryTokens.NewToken(OtherKey);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(AntiforgeryTokens.Validate(Key, planted, planted), Is.False);
            Assert.That(AntiforgeryTokens.Validate(Key, fromAnotherDeployment, fromAnotherDeployment), Is.False);
            Assert.That(AntiforgeryTokens.CurrentOrNew(Key, planted), Is.Not.EqualTo(planted), "a planted cookie is replaced, not adopted");
        }
    }

    [Test]
    public void Two_new_tokens_differ()
    {
        string first = AntiforgeryTokens.NewToken(Key);
        string second = AntiforgeryTokens.NewToken(Key);

        Assert.That(first, Is.Not.EqualTo(second));
    }

    [Test]
    public void The_same_token_in_cookie_and_form_validates()
    {
        string token = AntiforgeryTokens.NewToken(Key);

        Assert.That(AntiforgeryTokens.Validate(Key, token, new string(token.AsSpan())), Is.True);
    }

    [Test]
    public void Different_tokens_do_not_validate()
    {
        Assert.That(AntiforgeryTokens.Validate(Key, AntiforgeryTokens.NewToken(Key), AntiforgeryTokens.NewToken(Key)), Is.False);
    }

    [Test]
    public void A_token_differing_in_its_last_character_does_not_validate()
    {
        string token = AntiforgeryTokens.NewToken(Key);
        string other = token[..^1] + (token[^1] == 'A' ? 'Q' : 'A');

        Assert.That(AntiforgeryTokens.Validate(Key, token, other), Is.False);
    }

    [TestCase(true, false, TestName = "A missing form field does not validate")]
    [TestCase(false, true, TestName = "A missing cookie does not validate")]
    [TestCase(false, false, TestName = "Neither present does not validate")]
    public void Both_values_are_required(bool withCookie, bool withForm)
    {
        string token = AntiforgeryTokens.NewToken(Key);

        Assert.That(AntiforgeryTokens.Validate(Key, withCookie ? token : null, withForm ? token : null), Is.False);
    }

    [TestCase("", TestName = "Equal empty values do not validate")]
    [TestCase("abc", TestName = "Equal short values do not validate")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", TestName = "Equal padded values do not validate")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", TestName = "Equal values in standard base64 do not validate")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", TestName = "Equal well-formed values without the MAC do not validate")]
    public void Equal_values_of_the_wrong_shape_do_not_validate(string value)
    {
        Assert.That(AntiforgeryTokens.Validate(Key, value, value), Is.False);
    }

    [Test]
    public void A_form_value_with_surrounding_whitespace_does_not_validate()
    {
        string token = AntiforgeryTokens.NewToken(Key);

        Assert.That(AntiforgeryTokens.Validate(Key, token, token + " "), Is.False);
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
        string token = AntiforgeryTokens.NewToken(Key);

        Assert.That(AntiforgeryTokens.SetCookieHeader(AntiforgeryTokens.CookieName(true), token, secure: true),
            Is.EqualTo($"__Host-clavex-af={token}; Path=/; Secure; HttpOnly; SameSite=Strict"));
    }

    [Test]
    public void The_plain_HTTP_cookie_leaves_out_Secure()
    {
        string token = AntiforgeryTokens.NewToken(Key);

        Assert.That(AntiforgeryTokens.SetCookieHeader(AntiforgeryTokens.CookieName(false), token, secure: false),
            Is.EqualTo($"clavex-af={token}; Path=/; HttpOnly; SameSite=Strict"));
    }

    [Test]
    public void A_host_prefixed_cookie_without_Secure_is_refused()
    {
        Assert.That(() => AntiforgeryTokens.SetCookieHeader("__Host-clavex-af", AntiforgeryTokens.NewToken(Key), secure: false), Throws.ArgumentException);
    }

    [Test]
    public void A_cookie_value_that_could_inject_attributes_is_refused()
    {
        Assert.That(() => AntiforgeryTokens.SetCookieHeader("clavex-af", "x; Domain=acme.eu", secure: false), Throws.ArgumentException);
    }

    [Test]
    public void The_browsers_current_token_is_kept()
    {
        string token = AntiforgeryTokens.NewToken(Key);

        Assert.That(AntiforgeryTokens.CurrentOrNew(Key, token), Is.EqualTo(token));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("forged")]
    public void A_missing_or_malformed_cookie_gets_a_new_token(string? cookie)
    {
        string token = AntiforgeryTokens.CurrentOrNew(Key, cookie);

        Assert.That(token, Is.Not.EqualTo(cookie).And.Match("^[A-Za-z0-9_-]{64}$"));
    }
}
