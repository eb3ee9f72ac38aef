using System.Security.Cryptography;
using System.Text.Json;
using Clavex.Core.Jose;
using Microsoft.IdentityModel.Tokens;

namespace Clavex.Tests.Jose;

public class JwkTests
{
    [Test]
    public void Rsa_public_jwk_has_exactly_the_public_members()
    {
        using var key = RsaJwsKey.FromPublicKey(
            Base64UrlEncoding.DecodeOrNull(RfcVectors.Rfc7638.N), Base64UrlEncoding.DecodeOrNull(RfcVectors.Rfc7638.E), JwsAlgorithm.PS256);

        JsonElement jwk = ToJwk(key);

        Assert.That(MemberNames(jwk), Is.EqualTo(new[] { "kty", "use", "alg", "kid", "n", "e" }));
        Assert.That(jwk.GetProperty("kty").GetString(), Is.EqualTo("RSA"));
        Assert.That(jwk.GetProperty("use").GetString(), Is.EqualTo("sig"));
        Assert.That(jwk.GetProperty("alg").GetString(), Is.EqualTo("PS256"));
        Assert.That(jwk.GetProperty("kid").GetString(), Is.EqualTo(RfcVectors.Rfc7638.Thumbprint));
        Assert.That(jwk.GetProperty("n").GetString(), Is.EqualTo(RfcVectors.Rfc7638.N));
        Assert.That(jwk.GetProperty("e").GetString(), Is.EqualTo("AQAB"));
    }

    [Test]
    public void Ec_public_jwk_has_curve_and_coordinates_but_never_d()
    {
        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoding.DecodeOrNull(RfcVectors.Rfc7515A3.X), Y = Base64UrlEncoding.DecodeOrNull(RfcVectors.Rfc7515A3.Y) },
            D = Base64UrlEncoding.DecodeOrNull(RfcVectors.Rfc7515A3.D),
        });
        using var key = new EcJwsKey(ecdsa, "ec-1");

        JsonElement jwk = ToJwk(key);

        Assert.That(MemberNames(jwk), Is.EqualTo(new[] { "kty", "use", "alg", "kid", "crv", "x", "y" }));
        Assert.That(jwk.GetProperty("crv").GetString(), Is.EqualTo("P-256"));
        Assert.That(jwk.GetProperty("x").GetString(), Is.EqualTo(RfcVectors.Rfc7515A3.X));
        Assert.That(jwk.GetProperty("y").GetString(), Is.EqualTo(RfcVectors.Rfc7515A3.Y));
        Assert.That(jwk.GetProperty("kid").GetString(), Is.EqualTo("ec-1"));
    }

    [Test]
    public void Private_rsa_members_never_appear_in_the_jwk_set()
    {
        string json = JwkSet.ToJson([TestKeys.RS256, TestKeys.ES256]);

        using var document = JsonDocument.Parse(json);
        foreach (JsonElement jwk in document.RootElement.GetProperty("keys").EnumerateArray())
        {
            foreach (string privateMember in new[] { "d", "p", "q", "dp", "dq", "qi", "k" })
            {
                Assert.That(jwk.TryGetProperty(privateMember, out _), Is.False, privateMember);
            }
        }
    }

    [Test]
    public void Jwk_set_lists_keys_in_order_and_is_read_by_the_reference_library()
    {
        string json = JwkSet.ToJson([TestKeys.RS256, TestKeys.PS256, TestKeys.ES256]);

        var reference = new JsonWebKeySet(json);

        Assert.That(reference.Keys.Select(k => k.Kid), Is.EqualTo(new[] { TestKeys.RS256.KeyId, TestKeys.PS256.KeyId, TestKeys.ES256.KeyId }));
        Assert.That(reference.Keys.Select(k => k.Alg), Is.EqualTo(new[] { "RS256", "PS256", "ES256" }));
        Assert.That(reference.GetSigningKeys(), Has.Count.EqualTo(3));
    }

    [Test]
    public void Our_thumbprint_equals_the_reference_librarys()
    {
        var reference = new JsonWebKeySet(JwkSet.ToJson([TestKeys.RS256, TestKeys.ES256]));

        Assert.That(
            Base64UrlEncoder.Encode(reference.Keys[0].ComputeJwkThumbprint()),
            Is.EqualTo(JwkThumbprint.Compute(TestKeys.RS256)));
        Assert.That(
            Base64UrlEncoder.Encode(reference.Keys[1].ComputeJwkThumbprint()),
            Is.EqualTo(JwkThumbprint.Compute(TestKeys.ES256)));
    }

    [Test]
    public void A_symmetric_key_cannot_be_published()
    {
        Assert.That(() => JwkSet.ToJson([TestKeys.HS256]), Throws.InvalidOperationException);
    }

    [Test]
    public void An_hmac_key_without_a_given_kid_has_none()
    {
        using var key = new HmacJwsKey(new byte[32]);

        Assert.That(key.KeyId, Is.Empty);
    }

    private static JsonElement ToJwk(JwsKey key) =>
        JsonDocument.Parse(JwkSet.ToJson([key])).RootElement.GetProperty("keys")[0].Clone();

    private static string[] MemberNames(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}
