using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Jose;
using Clavex.Tests.Support;
using static Clavex.Tests.Jose.JwtTestTokens;

namespace Clavex.Tests.Jose;

/// <summary>Every way a token can be forged or stale is refused, each with its own outcome.</summary>
public class JwtValidatorTamperTests
{
    private TestClock _clock = null!;
    private RsaJwsKey _key = null!;
    private string _token = null!;

    [SetUp]
    public void CreateToken()
    {
        _clock = new TestClock();
        _key = TestKeys.RS256;
        _token = CreateIdToken(_key, _clock);
    }

    private JwtValidationOutcome Validate(string token) => JwtTestTokens.Validate(token, Parameters(_clock, _key));

    private string[] Segments => _token.Split('.');

    private static string Decode(string segment) => Encoding.UTF8.GetString(Base64UrlEncoding.DecodeOrNull(segment)!);

    [Test]
    public void The_untampered_token_is_valid()
    {
        Assert.That(Validate(_token), Is.EqualTo(JwtValidationOutcome.Valid));
    }

    [Test]
    public void A_changed_byte_in_the_header_breaks_the_signature()
    {
        // Still valid JSON with the same alg and kid: only the signature can catch it.
        string header = Decode(Segments[0]).Replace("\"typ\":\"JWT\"", "\"typ\":\"JWS\"", StringComparison.Ordinal);
        string forged = $"{TestKeys.EncodeJson(header)}.{Segments[1]}.{Segments[2]}";

        Assert.That(Validate(forged), Is.EqualTo(JwtValidationOutcome.InvalidSignature));
    }

    [Test]
    public void A_changed_byte_in_the_payload_breaks_the_signature()
    {
        string payload = Decode(Segments[1]).Replace("\"alice\"", "\"alicf\"", StringComparison.Ordinal);
        string forged = $"{Segments[0]}.{TestKeys.EncodeJson(payload)}.{Segments[2]}";

        Assert.That(Validate(forged), Is.EqualTo(JwtValidationOutcome.InvalidSignature));
    }

    [TestCase(0)]
    [TestCase(100)]
    [TestCase(255)]
    public void A_flipped_bit_in_the_signature_breaks_it(int index)
    {
        byte[] signature = Base64UrlEncoding.DecodeOrNull(Segments[2])!;
        signature[index] ^= 0x01;
        string forged = $"{Segments[0]}.{Segments[1]}.{Base64UrlEncoding.Encode(signature)}";

        Assert.That(Validate(forged), Is.EqualTo(JwtValidationOutcome.InvalidSignature));
    }

    [Test]
    public void A_character_outside_the_alphabet_in_any_segment_is_invalid_base64url()
    {
        for (int segment = 0; segment < 3; segment++)
        {
            string[] parts = Segments;
            parts[segment] = string.Concat(parts[segment].AsSpan(0, 5), "+", parts[segment].AsSpan(6));
            Assert.That(Validate(string.Join('.', parts)), Is.EqualTo(JwtValidationOutcome.InvalidBase64Url), $"segment {segment}");
        }
    }

    [Test]
    public void A_padded_signature_is_invalid_base64url()
    {
        Assert.That(Validate(_token + "="), Is.EqualTo(JwtValidationOutcome.InvalidBase64Url));
    }

    [TestCase("none")]
    [TestCase("None")]
    [TestCase("NONE")]
    public void Alg_none_is_refused(string alg)
    {
        string forged = $"{TestKeys.EncodeJson($$"""{"alg":"{{alg}}","typ":"JWT"}""")}.{Segments[1]}.";

        Assert.That(Validate(forged), Is.EqualTo(JwtValidationOutcome.AlgorithmNotAllowed));
    }

    [Test]
    public void Alg_none_with_the_real_kid_and_signature_is_refused()
    {
        string forged = $"{TestKeys.EncodeJson($$"""{"alg":"none","kid":"{{_key.KeyId}}","typ":"JWT"}""")}.{Segments[1]}.{Segments[2]}";

        Assert.That(Validate(forged), Is.EqualTo(JwtValidationOutcome.AlgorithmNotAllowed));
    }

    [Test]
    public void Hs256_signed_with_the_rsa_public_key_is_refused_by_the_allow_list()
    {
        string forged = SignWithPublicKeyAsHmacSecret();

        Assert.That(Validate(forged), Is.EqualTo(JwtValidationOutcome.AlgorithmNotAllowed));
    }

    [Test]
    public void Hs256_signed_with_the_rsa_public_key_is_refused_even_when_hs256_is_allowed()
    {
        string forged = SignWithPublicKeyAsHmacSecret();
        var parameters = Parameters(_clock, [JwsAlgorithm.RS256, JwsAlgorithm.HS256], _key);

        Assert.That(JwtTestTokens.Validate(forged, parameters), Is.EqualTo(JwtValidationOutcome.KeyAlgorithmMismatch));
    }

    [Test]
    public void Hs256_signed_with_the_rsa_public_key_without_kid_finds_no_hmac_key()
    {
        string forged = SignWithPublicKeyAsHmacSecret(includeKid: false);
        var parameters = Parameters(_clock, [JwsAlgorithm.RS256, JwsAlgorithm.HS256], _key);

        Assert.That(JwtTestTokens.Validate(forged, parameters), Is.EqualTo(JwtValidationOutcome.KeyNotFound));
    }

    [Test]
    public void An_unknown_kid_is_refused()
    {
        using var other = RsaJwsKey.Generate();
        string token = CreateIdToken(other, _clock);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.KeyNotFound));
    }

    [Test]
    public void A_key_with_the_same_kid_but_other_material_fails_the_signature()
    {
        using var impostor = new RsaJwsKey(RSA.Create(2048), JwsAlgorithm.RS256, _key.KeyId);
        string token = CreateIdToken(impostor, _clock);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.InvalidSignature));
    }

    [Test]
    public void A_token_without_kid_is_verified_by_a_key_of_its_algorithm()
    {
        string token = TestKeys.SignRaw("""{"alg":"RS256","typ":"JWT"}""", Decode(Segments[1]), _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.Valid));
    }

    [Test]
    public void Expired_token_is_refused_once_the_clock_skew_has_passed()
    {
        _clock.Advance(TimeSpan.FromSeconds(300 + 59));
        Assert.That(Validate(_token), Is.EqualTo(JwtValidationOutcome.Valid), "inside the 60 s skew");

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Validate(_token), Is.EqualTo(JwtValidationOutcome.Expired));
    }

    [Test]
    public void Clock_skew_is_configurable()
    {
        _clock.Advance(TimeSpan.FromSeconds(300));
        var strict = new JwtValidationParameters
        {
            Keys = new JwsKeySet(_key),
            AllowedAlgorithms = [JwsAlgorithm.RS256],
            Issuer = Issuer,
            Audiences = [Audience],
            ClockSkew = TimeSpan.Zero,
            TimeProvider = _clock,
        };

        Assert.That(JwtTestTokens.Validate(_token, strict), Is.EqualTo(JwtValidationOutcome.Expired));
    }

    [Test]
    public void Token_not_yet_valid_is_refused()
    {
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();
        string token = TestKeys.SignRaw(
            $$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT"}""",
            $$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{now + 600}},"nbf":{{now + 61}}}""",
            _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.NotYetValid));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.Valid));
    }

    [Test]
    public void Token_issued_in_the_future_is_refused()
    {
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();
        string token = TestKeys.SignRaw(
            $$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT"}""",
            $$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{now + 600}},"iat":{{now + 120}}}""",
            _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.IssuedInFuture));
    }

    [Test]
    public void Token_without_exp_is_refused()
    {
        string token = TestKeys.SignRaw(
            $$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT"}""",
            $$"""{"iss":"{{Issuer}}","aud":"{{Audience}}"}""",
            _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.MissingExpiration));
    }

    [TestCase("""{"iss":"https://id.acme.eu/globex","aud":"atlassian","exp":4102444800}""", TestName = "Another organisation's issuer is refused")]
    [TestCase("""{"iss":"https://id.acme.eu/acme/","aud":"atlassian","exp":4102444800}""", TestName = "An issuer with a trailing slash is refused")]
    [TestCase("""{"aud":"atlassian","exp":4102444800}""", TestName = "A missing issuer is refused")]
    [TestCase("""{"iss":["https://id.acme.eu/acme"],"aud":"atlassian","exp":4102444800}""", TestName = "An issuer array is refused")]
    public void Wrong_issuer_is_refused(string payload)
    {
        string token = TestKeys.SignRaw($$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT"}""", payload, _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.InvalidIssuer));
    }

    [TestCase("\"jira\"", JwtValidationOutcome.InvalidAudience)]
    [TestCase("[\"jira\",\"confluence\"]", JwtValidationOutcome.InvalidAudience)]
    [TestCase("[]", JwtValidationOutcome.InvalidAudience)]
    [TestCase("42", JwtValidationOutcome.InvalidAudience)]
    [TestCase("[\"jira\",\"atlassian\"]", JwtValidationOutcome.Valid)]
    [TestCase("\"atlassian\"", JwtValidationOutcome.Valid)]
    public void Audience_must_contain_an_accepted_value(string aud, JwtValidationOutcome expected)
    {
        string token = TestKeys.SignRaw(
            $$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT"}""",
            $$"""{"iss":"{{Issuer}}","aud":{{aud}},"exp":4102444800}""",
            _key);

        Assert.That(Validate(token), Is.EqualTo(expected));
    }

    [TestCase("a.b", TestName = "Two segments are malformed")]
    [TestCase("a.b.c.d", TestName = "Four segments are malformed")]
    [TestCase("a.b.c.d.e", TestName = "Five segments (a JWE) are malformed")]
    [TestCase("", TestName = "An empty token is malformed")]
    [TestCase("abc", TestName = "One segment is malformed")]
    public void Wrong_segment_count_is_malformed(string token)
    {
        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.Malformed));
    }

    [Test]
    public void A_real_token_with_a_fourth_segment_is_malformed()
    {
        Assert.That(Validate(_token + "." + Segments[2]), Is.EqualTo(JwtValidationOutcome.Malformed));
    }

    [Test]
    public void A_one_megabyte_token_is_refused_before_decoding()
    {
        string huge = $"{Segments[0]}.{new string('A', 1024 * 1024)}.{Segments[2]}";

        Assert.That(Validate(huge), Is.EqualTo(JwtValidationOutcome.TokenTooLarge));
    }

    [Test]
    public void A_critical_header_extension_is_refused()
    {
        string token = TestKeys.SignRaw(
            $$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT","crit":["exp"],"exp":1}""", Decode(Segments[1]), _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.UnsupportedCriticalHeader));
    }

    [TestCase("""{"alg":"RS256","alg":"HS256"}""", TestName = "A repeated alg is an invalid header")]
    [TestCase("""{"kid":"a"}""", TestName = "A header without alg is invalid")]
    [TestCase("""{"alg":256}""", TestName = "A numeric alg is an invalid header")]
    [TestCase("""["RS256"]""", TestName = "A header that is not an object is invalid")]
    [TestCase("{\"alg\":\"RS256\"", TestName = "Truncated header JSON is invalid")]
    [TestCase("""{"alg":"RS256"} {}""", TestName = "Trailing content after the header is invalid")]
    public void Malformed_headers_are_refused(string header)
    {
        string forged = $"{TestKeys.EncodeJson(header)}.{Segments[1]}.{Segments[2]}";

        Assert.That(Validate(forged), Is.EqualTo(JwtValidationOutcome.InvalidHeader));
    }

    [Test]
    public void A_header_jwk_is_never_used_to_verify()
    {
        // The attacker signs with their own key and embeds it; the validator only knows _key.
        using var attacker = RsaJwsKey.Generate();
        string embedded = Encoding.UTF8.GetString(JwkSet.ToUtf8Json([attacker]));
        string token = TestKeys.SignRaw(
            $$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT","jwk":{{embedded}}}""", Decode(Segments[1]), attacker);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.InvalidSignature));
    }

    [Test]
    public void Duplicate_claims_are_refused()
    {
        string token = TestKeys.SignRaw(
            $$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT"}""",
            $$"""{"iss":"https://evil.example","iss":"{{Issuer}}","aud":"{{Audience}}","exp":4102444800}""",
            _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.InvalidPayload));
    }

    [TestCase("[]", TestName = "A payload that is an array is invalid")]
    [TestCase("not json", TestName = "A payload that is not JSON is invalid")]
    [TestCase("""{"iss":"https://id.acme.eu/acme","aud":"atlassian","exp":"tomorrow"}""", TestName = "A string exp is an invalid payload")]
    public void Invalid_payloads_are_refused(string payload)
    {
        string token = TestKeys.SignRaw($$"""{"alg":"RS256","kid":"{{_key.KeyId}}","typ":"JWT"}""", payload, _key);

        Assert.That(Validate(token), Is.EqualTo(JwtValidationOutcome.InvalidPayload));
    }

    [TestCase("at+jwt", JwtValidationOutcome.InvalidType)]
    [TestCase(null, JwtValidationOutcome.InvalidType)]
    [TestCase("jwt", JwtValidationOutcome.Valid)]
    [TestCase("application/JWT", JwtValidationOutcome.Valid)]
    public void Typ_must_match_the_expected_type(string? typ, JwtValidationOutcome expected)
    {
        string typMember = typ is null ? "" : $",\"typ\":\"{typ}\"";
        string token = TestKeys.SignRaw($$"""{"alg":"RS256","kid":"{{_key.KeyId}}"{{typMember}}}""", Decode(Segments[1]), _key);

        Assert.That(Validate(token), Is.EqualTo(expected));
    }

    [Test]
    public void An_access_token_is_not_accepted_where_an_id_token_is_expected()
    {
        string accessToken = CreateIdToken(_key, _clock, JwtType.AccessToken);

        Assert.That(Validate(accessToken), Is.EqualTo(JwtValidationOutcome.InvalidType));
    }

    [Test]
    public void A_der_encoded_es256_signature_is_refused()
    {
        var clock = new TestClock();
        string token = CreateIdToken(TestKeys.ES256, clock);
        int lastDot = token.LastIndexOf('.');
        byte[] p1363 = Base64UrlEncoding.DecodeOrNull(token.AsSpan(lastDot + 1))!;
        byte[] der = ConvertToDer(p1363);
        string forged = string.Concat(token.AsSpan(0, lastDot + 1), Base64UrlEncoding.Encode(der));

        Assert.That(JwtTestTokens.Validate(forged, Parameters(clock, TestKeys.ES256)), Is.EqualTo(JwtValidationOutcome.InvalidSignature));
    }

    [Test]
    public void A_refused_result_exposes_no_payload()
    {
        using JwtValidationResult result = JwtValidator.Validate("a.b", Parameters(_clock, _key));

        Assert.That(result.IsValid, Is.False);
        Assert.That(() => result.Payload, Throws.InvalidOperationException);
    }

    private string SignWithPublicKeyAsHmacSecret(bool includeKid = true)
    {
        // The classic confusion attack: the verifier's public key, as PEM bytes, used as an HMAC secret.
        byte[] publicKeyBytes = Encoding.ASCII.GetBytes(_key.Rsa.ExportSubjectPublicKeyInfoPem());
        using var confused = new HmacJwsKey(publicKeyBytes, includeKid ? _key.KeyId : null);
        string header = includeKid
            ? $$"""{"alg":"HS256","kid":"{{_key.KeyId}}","typ":"JWT"}"""
            : """{"alg":"HS256","typ":"JWT"}""";
        return TestKeys.SignRaw(header, Decode(Segments[1]), confused);
    }

    private static byte[] ConvertToDer(byte[] p1363)
    {
        // Re-encode R || S as a DER SEQUENCE of two INTEGERs, the form OpenSSL and X.509 use.
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(p1363.AsSpan(0, 32));
            writer.WriteIntegerUnsigned(p1363.AsSpan(32, 32));
        }

        return writer.Encode();
    }
}
