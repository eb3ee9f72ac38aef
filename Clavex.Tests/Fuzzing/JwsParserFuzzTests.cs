using System.Text;
using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Tests.Jose;
using Clavex.Tests.Support;
using CsCheck;

namespace Clavex.Tests.Fuzzing;

/// <summary>
/// The JWS parser and validator (Jose/JwtValidator.cs, JwsHeader.cs, JwtClaimsCheck.cs) on hostile tokens: it returns
/// an outcome for every input and never throws, a token changed anywhere never validates, a token signed over any
/// header or payload validates only when the header and claims say what the parameters require.
/// </summary>
public class JwsParserFuzzTests
{
    private static readonly TestClock Clock = new();

    private static readonly JwsKey[] Keys = [TestKeys.HS256, TestKeys.ES256, TestKeys.RS256, TestKeys.PS256];

    private static readonly JwtValidationParameters Parameters = JwtTestTokens.Parameters(
        Clock, [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256, JwsAlgorithm.HS256], Keys);

    private static readonly string[] ValidTokens = [.. Keys.Select(key => JwtTestTokens.CreateIdToken(key, Clock))];

    private static readonly string ValidPayload = Encoding.UTF8.GetString(Base64UrlEncoding.DecodeOrNull(ValidTokens[0].Split('.')[1])!);

    private static readonly string HmacHeader = "{\"alg\":\"HS256\",\"kid\":\"" + TestKeys.HS256.KeyId + "\",\"typ\":\"JWT\"}";

    private static readonly Gen<string> HeaderValue = Gen.Frequency(
        (4, Gen.OneOf("\"HS256\"", "\"hs256\"", "\"none\"", "\"RS256\"", "\"ES256\"", "\"PS256\"", "\"JWT\"", "\"application/JWT\"",
            "\"at+jwt\"", "\"" + TestKeys.HS256.KeyId + "\"", "\"HS256\\u0000\"", "\"\\u0048S256\"", "null", "[\"exp\"]", "{}", "1")),
        (1, FuzzGen.Json(2)));

    private static readonly Gen<string> HeaderJson = Gen.Select(Gen.OneOf("alg", "kid", "typ", "crit", "jwk", "x5u", "b64", "zip", "ALG"), HeaderValue)
        .Array[0, 5]
        .Select(members => "{" + string.Join(",", members.Select(m => "\"" + m.Item1 + "\":" + m.Item2)) + "}");

    private static readonly Gen<string> PayloadJson = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("iss", "aud", "exp", "nbf", "iat", "sub", "ISS"), Gen.Frequency(
            (3, Gen.OneOf("\"" + JwtTestTokens.Issuer + "\"", "\"" + JwtTestTokens.Audience + "\"", "[\"" + JwtTestTokens.Audience + "\"]",
                Later(300), Later(-300), Later(0), "1e400", "-1e400", "1.5e9", "\"1790000000\"", "[]", "null", "true")),
            (1, FuzzGen.Json(2))))
            .Array[0, 7]
            .Select(members => "{" + string.Join(",", members.Select(m => "\"" + m.Item1 + "\":" + m.Item2)) + "}")),
        (1, FuzzGen.Json(3)),
        (1, FuzzGen.DeepNesting));

    [Test]
    public void Random_text_is_refused_without_throwing()
    {
        Gen<string> segments = Gen.Select(FuzzGen.Base64UrlText, FuzzGen.Base64UrlText, FuzzGen.Base64UrlText, (h, p, s) => $"{h}.{p}.{s}");
        Fuzz.Check(Gen.Frequency((1, FuzzGen.HostileString), (2, segments)), token =>
        {
            Assert.That(Validate(token), Is.Not.EqualTo(JwtValidationOutcome.Valid));
        }, iterations: 3000);
    }

    [Test]
    public void A_valid_token_changed_anywhere_never_validates()
    {
        Gen<(string Original, byte[] Mutated)> mutated = Gen.Int[0, ValidTokens.Length - 1]
            .SelectMany(i => FuzzGen.Mutated(Encoding.ASCII.GetBytes(ValidTokens[i])).Select(bytes => (ValidTokens[i], bytes)));
        Fuzz.Check(mutated, (original, bytes) =>
        {
            // Latin-1 maps each byte to one char, so a mutation into 0x80–0xFF stays visible to the parser.
            string token = Encoding.Latin1.GetString(bytes);
            if (token == original)
            {
                return;
            }

            Assert.That(Validate(token), Is.Not.EqualTo(JwtValidationOutcome.Valid));
        }, iterations: 3000);
    }

    [Test]
    public void Every_well_signed_header_gets_an_outcome_and_only_an_honest_one_validates()
    {
        Gen<(string, bool)> header = Gen.Select(HeaderJson, Gen.Int[0, 9].Select(i => i == 0));
        Fuzz.Check(header, (json, invalidUtf8) =>
        {
            byte[] headerBytes = invalidUtf8 ? [.. FuzzGen.RawUtf8(json), 0xFF] : FuzzGen.RawUtf8(json);
            string token = Sign(headerBytes, Encoding.UTF8.GetBytes(ValidPayload), TestKeys.HS256);
            if (Validate(token) == JwtValidationOutcome.Valid)
            {
                using JsonDocument parsed = JsonDocument.Parse(headerBytes);
                Assert.That(parsed.RootElement.GetProperty("alg").GetString(), Is.EqualTo("HS256"));
                Assert.That(parsed.RootElement.TryGetProperty("crit", out _), Is.False);
            }
        }, iterations: 2000);
    }

    [Test]
    public void Every_well_signed_payload_gets_an_outcome_and_only_current_claims_for_us_validate()
    {
        Fuzz.Check(Gen.Select(PayloadJson, Gen.Int[0, 9].Select(i => i == 0)), (json, invalidUtf8) =>
        {
            byte[] payload = invalidUtf8 ? [.. FuzzGen.RawUtf8(json), 0xC3] : FuzzGen.RawUtf8(json);
            string token = Sign(Encoding.UTF8.GetBytes(HmacHeader), payload, TestKeys.HS256);
            using JwtValidationResult result = JwtValidator.Validate(token, Parameters);
            if (result.IsValid)
            {
                JsonElement claims = result.Payload;
                Assert.That(claims.GetProperty("iss").GetString(), Is.EqualTo(JwtTestTokens.Issuer));
                Assert.That(claims.GetProperty("exp").GetDouble(), Is.GreaterThan(Clock.GetUtcNow().ToUnixTimeSeconds() - 60));
                JsonElement audience = claims.GetProperty("aud");
                Assert.That(audience.ValueKind == JsonValueKind.String
                    ? audience.GetString() == JwtTestTokens.Audience
                    : audience.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == JwtTestTokens.Audience), Is.True);
            }
        }, iterations: 2000);
    }

    [Test]
    public void Written_claims_are_read_back_unchanged()
    {
        Gen<(string Name, string Value)[]> extra = Gen.Select(FuzzGen.HostileString, FuzzGen.HostileString)
            .Where(member => member.Item1.Length > 0 && !FuzzGen.HasLoneSurrogate(member.Item1) && !FuzzGen.HasLoneSurrogate(member.Item2) && !IsRegistered(member.Item1))
            .Array[0, 6];
        Fuzz.Check(Gen.Select(extra, Gen.Int[0, Keys.Length - 1]), (members, keyIndex) =>
        {
            var written = new Dictionary<string, string>(StringComparer.Ordinal);
            long now = Clock.GetUtcNow().ToUnixTimeSeconds();
            string token;
            using (var jwt = JwtWriter.Create())
            {
                jwt.Claims.WriteString(JwtClaimNames.Iss, JwtTestTokens.Issuer);
                jwt.Claims.WriteString(JwtClaimNames.Aud, JwtTestTokens.Audience);
                jwt.Claims.WriteNumber(JwtClaimNames.Exp, now + 300);
                foreach ((string name, string value) in members)
                {
                    if (written.TryAdd(name, value))
                    {
                        jwt.Claims.WriteString(name, value);
                    }
                }

                token = jwt.Sign(Keys[keyIndex], JwtType.Jwt);
            }

            using JwtValidationResult result = JwtValidator.Validate(token, Parameters);
            Assert.That(result.Outcome, Is.EqualTo(JwtValidationOutcome.Valid));
            Assert.That(result.Key, Is.SameAs(Keys[keyIndex]));
            foreach ((string name, string value) in written)
            {
                Assert.That(result.Payload.GetProperty(name).GetString(), Is.EqualTo(value));
            }
        }, iterations: 500);
    }

    // Found by Every_well_signed_header_…: Utf8JsonReader.GetString threw InvalidOperationException before any signature check.
    [TestCase(new byte[] { 0x7B, 0x22, 0x61, 0x6C, 0x67, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D }, TestName = "A_header_alg_that_is_not_UTF8_is_an_invalid_header_issue_16")]
    [TestCase(new byte[] { 0x7B, 0x22, 0x6B, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D }, TestName = "A_header_kid_that_is_not_UTF8_is_an_invalid_header_issue_16")]
    public void Header_text_that_is_not_UTF8_is_an_invalid_header(byte[] header)
    {
        Assert.That(Validate(Sign(header, Encoding.UTF8.GetBytes(ValidPayload), TestKeys.HS256)), Is.EqualTo(JwtValidationOutcome.InvalidHeader));
    }

    [TestCase("{\"alg\":\"\\ud800\"}")]
    [TestCase("{\"alg\":\"HS256\",\"typ\":\"\\udc00x\"}")]
    public void A_header_member_escaping_a_lone_surrogate_is_an_invalid_header_issue_16(string header)
    {
        Assert.That(Validate(Sign(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(ValidPayload), TestKeys.HS256)), Is.EqualTo(JwtValidationOutcome.InvalidHeader));
    }

    // Found by Every_well_signed_payload_…: with duplicate names refused, JsonDocument.Parse unescapes every name and threw
    // InvalidOperationException for one escaping a lone surrogate.
    [Test]
    public void A_signed_payload_with_a_name_escaping_a_lone_surrogate_is_an_invalid_payload_issue_16()
    {
        byte[] payload = Encoding.UTF8.GetBytes("{\"\\udc00x\":\"\\udc00x\"}");
        Assert.That(Validate(Sign(Encoding.UTF8.GetBytes(HmacHeader), payload, TestKeys.HS256)), Is.EqualTo(JwtValidationOutcome.InvalidPayload));
    }

    // A claim value that is not UTF-8 validated, and ClientAssertionValidator's GetString of the jti then threw: a 500.
    [Test]
    public void A_signed_payload_that_is_not_UTF8_is_an_invalid_payload_issue_16()
    {
        byte[] payload = [.. Encoding.UTF8.GetBytes(ValidPayload[..^1] + ",\"jti\":\""), 0xED, 0xA0, 0x80, .. "\"}"u8];
        Assert.That(Validate(Sign(Encoding.UTF8.GetBytes(HmacHeader), payload, TestKeys.HS256)), Is.EqualTo(JwtValidationOutcome.InvalidPayload));
    }

    private static JwtValidationOutcome Validate(string token) => JwtTestTokens.Validate(token, Parameters);

    private static string Sign(byte[] header, byte[] payload, JwsKey key) =>
        JwsCompact.Sign(Encoding.ASCII.GetBytes(Base64UrlEncoding.Encode(header)), payload, key);

    private static string Later(int seconds) => (Clock.GetUtcNow().ToUnixTimeSeconds() + seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsRegistered(string name) => name is "iss" or "aud" or "exp";
}
