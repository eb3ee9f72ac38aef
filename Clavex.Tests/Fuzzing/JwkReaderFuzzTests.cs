using System.Text;
using Clavex.Core.Jose;
using Clavex.Tests.Jose;
using CsCheck;

namespace Clavex.Tests.Fuzzing;

/// <summary>
/// JWK Sets (Jose/JwkReader.cs), as a client registers them and as the signing keys are stored: any bytes are read or
/// refused with a reason, never thrown; an accepted set holds public keys only and writes back to what reads as itself.
/// </summary>
public class JwkReaderFuzzTests
{
    private static readonly byte[] ValidSet = JwkSet.ToUtf8Json([TestKeys.RS256, TestKeys.ES256]);

    private static readonly Gen<string> MemberValue = Gen.Frequency(
        (3, Gen.OneOf("\"RSA\"", "\"EC\"", "\"oct\"", "\"P-256\"", "\"P-384\"", "\"sig\"", "\"enc\"", "\"RS256\"", "\"PS256\"", "\"ES256\"", "\"HS256\"", "\"AQAB\"", "\"AA\"", "\"\"", "1", "null")),
        (1, FuzzGen.Base64UrlText.Select(text => "\"" + text + "\"")),
        (1, FuzzGen.Json(2)));

    private static readonly Gen<string> Jwk = Gen.Select(Gen.OneOf("kty", "use", "alg", "kid", "n", "e", "crv", "x", "y", "d", "k", "x5c"), MemberValue)
        .Array[0, 8]
        .Select(members => "{" + string.Join(",", members.Select(m => "\"" + m.Item1 + "\":" + m.Item2)) + "}");

    private static readonly Gen<byte[]> AnySet = Gen.Frequency(
        (3, FuzzGen.Mutated(ValidSet)),
        (2, Jwk.Array[0, 3].Select(keys => FuzzGen.RawUtf8("{\"keys\":[" + string.Join(",", keys) + "]}"))),
        (1, FuzzGen.Json(3, ["keys"]).Select(FuzzGen.RawUtf8)));

    [Test]
    public void Any_bytes_are_read_or_refused_with_a_reason_and_an_accepted_set_round_trips()
    {
        Fuzz.Check(AnySet, json =>
        {
            if (!JwkReader.TryReadKeySet(json, out JwsKeySet? set, out string? error))
            {
                Assert.That(error, Is.Not.Empty);
                return;
            }

            Assert.That(set.Keys.Select(k => k.HasPrivateKey), Is.All.False);
            byte[] written = JwkSet.ToUtf8Json(set.Keys);
            Assert.That(JwkReader.TryReadKeySet(written, out JwsKeySet? again, out _), Is.True);
            Assert.That(JwkSet.ToUtf8Json(again!.Keys), Is.EqualTo(written));
        }, iterations: 1500);
    }

    // Found by SharpFuzz under AFL++ (`fuzz jwks`, docs/fuzzing.md): reading a member name or value that is not UTF-8,
    // or escapes a lone surrogate, threw InvalidOperationException out of a Try method.
    [TestCase(new byte[] { 0x7B, 0x22, 0x6B, 0x65, 0x79, 0x73, 0x22, 0x3A, 0x5B, 0x7B, 0x22, 0x6B, 0x74, 0x79, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x5D, 0x7D },
        TestName = "A_jwk_member_that_is_not_UTF8_is_refused_issue_16")]
    [TestCase(new byte[] { 0x7B, 0x22, 0x6B, 0x65, 0x79, 0x73, 0x22, 0x3A, 0x5B, 0x7B, 0x22, 0x80, 0x22, 0x3A, 0x22, 0x78, 0x22, 0x7D, 0x5D, 0x7D },
        TestName = "A_jwk_member_name_that_is_not_UTF8_is_refused_issue_16")]
    public void A_jwk_with_unreadable_text_is_refused(byte[] json)
    {
        Assert.That(JwkReader.TryReadKeySet(json, out _, out string? error), Is.False);
        Assert.That(error, Does.Contain("not UTF-8"));
    }

    [Test]
    public void A_jwk_member_escaping_a_lone_surrogate_is_refused_issue_16()
    {
        Assert.That(JwkReader.TryReadKeySet(Encoding.UTF8.GetBytes("{\"keys\":[{\"kty\":\"\\ud800\"}]}"), out _, out string? error), Is.False);
        Assert.That(error, Does.Contain("not UTF-8"));
    }
}
