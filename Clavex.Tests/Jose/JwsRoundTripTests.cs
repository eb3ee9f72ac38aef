using System.Text;
using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Tests.Support;

namespace Clavex.Tests.Jose;

public class JwsRoundTripTests
{
    private static readonly string[] ExpectedGroups = ["jira-administrators", "jira-software-users", "confluence-users"];

    [TestCase(JwsAlgorithm.RS256)]
    [TestCase(JwsAlgorithm.PS256)]
    [TestCase(JwsAlgorithm.ES256)]
    [TestCase(JwsAlgorithm.HS256)]
    public void Token_signed_with_each_algorithm_validates_with_its_claims(JwsAlgorithm algorithm)
    {
        var clock = new TestClock();
        JwsKey key = TestKeys.For(algorithm);
        string token = JwtTestTokens.CreateIdToken(key, clock);

        var parameters = JwtTestTokens.Parameters(clock, [algorithm], key);
        using JwtValidationResult result = JwtValidator.Validate(token, parameters);

        Assert.That(result.Outcome, Is.EqualTo(JwtValidationOutcome.Valid));
        Assert.That(result.Key, Is.SameAs(key));
        Assert.That(result.Payload.GetProperty("sub").GetString(), Is.EqualTo("u_7Hq2"));
        Assert.That(result.Payload.GetProperty("name").GetString(), Is.EqualTo("Alice Ånström"));
        Assert.That(result.Payload.GetProperty("exp").GetInt64(), Is.EqualTo(clock.GetUtcNow().ToUnixTimeSeconds() + 300));
        Assert.That(
            result.Payload.GetProperty("groups").EnumerateArray().Select(g => g.GetString()),
            Is.EqualTo(ExpectedGroups));
    }

    [TestCase(JwsAlgorithm.RS256, 256)]
    [TestCase(JwsAlgorithm.PS256, 256)]
    [TestCase(JwsAlgorithm.ES256, 64)]
    [TestCase(JwsAlgorithm.HS256, 32)]
    public void Signature_has_the_algorithms_exact_length(JwsAlgorithm algorithm, int bytes)
    {
        string token = JwtTestTokens.CreateIdToken(TestKeys.For(algorithm), new TestClock());
        string signature = token.Substring(token.LastIndexOf('.') + 1);

        // ES256 in particular is the 64-byte R || S form, not a ~70-byte DER sequence.
        Assert.That(Base64UrlEncoding.DecodeOrNull(signature), Has.Length.EqualTo(bytes));
    }

    [TestCase(JwsAlgorithm.RS256, "JWT")]
    [TestCase(JwsAlgorithm.ES256, "at+jwt")]
    public void Header_names_alg_kid_and_typ_in_that_order(JwsAlgorithm algorithm, string typ)
    {
        JwsKey key = TestKeys.For(algorithm);
        JwtType type = typ == "JWT" ? JwtType.Jwt : JwtType.AccessToken;
        string token = JwtTestTokens.CreateIdToken(key, new TestClock(), type);

        string header = Encoding.UTF8.GetString(Base64UrlEncoding.DecodeOrNull(token.AsSpan(0, token.IndexOf('.')))!);

        Assert.That(header, Is.EqualTo($$"""{"alg":"{{algorithm}}","kid":"{{key.KeyId}}","typ":"{{typ}}"}"""));
    }

    [Test]
    public void Payload_is_compact_json_with_claims_in_written_order()
    {
        var clock = new TestClock();
        string token = JwtTestTokens.CreateIdToken(TestKeys.ES256, clock);
        string[] parts = token.Split('.');

        string payload = Encoding.UTF8.GetString(Base64UrlEncoding.DecodeOrNull(parts[1])!);
        long now = clock.GetUtcNow().ToUnixTimeSeconds();

        Assert.That(payload, Does.StartWith($$"""{"iss":"https://id.acme.eu/acme","sub":"u_7Hq2","aud":"atlassian","exp":{{now + 300}},"iat":{{now}},"""));
        Assert.That(JsonDocument.Parse(payload).RootElement.GetProperty("email_verified").GetBoolean(), Is.True);
    }

    [Test]
    public void Writer_is_reused_across_tokens_without_leaking_claims()
    {
        var clock = new TestClock();
        string first;
        using (var jwt = JwtWriter.Create())
        {
            jwt.Claims.WriteString(JwtClaimNames.Iss, JwtTestTokens.Issuer);
            jwt.Claims.WriteString(JwtClaimNames.Sub, "first-only");
            first = jwt.Sign(TestKeys.HS256, JwtType.Jwt);
        }

        string second;
        using (var jwt = JwtWriter.Create())
        {
            jwt.Claims.WriteString(JwtClaimNames.Iss, JwtTestTokens.Issuer);
            second = jwt.Sign(TestKeys.HS256, JwtType.Jwt);
        }

        string secondPayload = Encoding.UTF8.GetString(Base64UrlEncoding.DecodeOrNull(second.Split('.')[1])!);
        Assert.That(first, Does.Contain("."));
        Assert.That(secondPayload, Is.EqualTo("""{"iss":"https://id.acme.eu/acme"}"""));
    }

    [Test]
    public void At_hash_is_the_left_half_of_the_access_tokens_sha256()
    {
        // OIDC Core §3.1.3.6; the value is checked against an independent computation in Python:
        // base64url(sha256(b"jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y")[:16]).
        using var jwt = JwtWriter.Create();
        jwt.Claims.WriteLeftHalfHash(JwtClaimNames.AtHash, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
        string token = jwt.Sign(TestKeys.HS256, JwtType.Jwt);
        string payload = Encoding.UTF8.GetString(Base64UrlEncoding.DecodeOrNull(token.Split('.')[1])!);

        Assert.That(payload, Is.EqualTo("""{"at_hash":"77QmUPtjPfzWtF2AnpK9RQ"}"""));
    }

    [Test]
    public void A_verification_only_key_refuses_to_sign()
    {
        var publicOnly = EcJwsKey.FromPublicKey(
            TestKeys.ES256.Ecdsa.ExportParameters(false).Q.X,
            TestKeys.ES256.Ecdsa.ExportParameters(false).Q.Y);

        Assert.That(() => JwsCompact.Sign("{}"u8, publicOnly, JwtType.Jwt), Throws.InvalidOperationException);
    }

    [Test]
    public void A_verification_only_key_verifies_what_the_private_key_signed()
    {
        var clock = new TestClock();
        var parameters = TestKeys.ES256.Ecdsa.ExportParameters(false);
        using var publicOnly = EcJwsKey.FromPublicKey(parameters.Q.X, parameters.Q.Y, TestKeys.ES256.KeyId);

        string token = JwtTestTokens.CreateIdToken(TestKeys.ES256, clock);

        Assert.That(JwtTestTokens.Validate(token, JwtTestTokens.Parameters(clock, publicOnly)), Is.EqualTo(JwtValidationOutcome.Valid));
        Assert.That(publicOnly.KeyId, Is.EqualTo(JwkThumbprint.Compute(TestKeys.ES256)));
    }

    [Test]
    public void Rsa_keys_shorter_than_2048_bits_are_refused()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(1024);
        Assert.That(() => new RsaJwsKey(rsa, JwsAlgorithm.RS256), Throws.ArgumentException);
    }

    [Test]
    public void An_rsa_key_cannot_be_bound_to_an_ec_or_hmac_algorithm()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        Assert.That(() => new RsaJwsKey(rsa, JwsAlgorithm.ES256), Throws.ArgumentException);
        Assert.That(() => new RsaJwsKey(rsa, JwsAlgorithm.HS256), Throws.ArgumentException);
    }

    [Test]
    public void Hmac_keys_shorter_than_the_hash_are_refused()
    {
        Assert.That(() => new HmacJwsKey(new byte[31]), Throws.ArgumentException);
    }
}
