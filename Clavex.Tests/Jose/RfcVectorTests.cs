using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Jose;
using static Clavex.Tests.Jose.RfcVectors;

namespace Clavex.Tests.Jose;

/// <summary>Known-answer tests: our signers reproduce the RFCs' deterministic signatures bit for bit.</summary>
public class RfcVectorTests
{
    [Test]
    public void Rfc7515_A1_hs256_signature_is_reproduced()
    {
        using var key = new HmacJwsKey(Bytes(Rfc7515A1.K));

        string jws = JwsCompact.Sign(Encoding.ASCII.GetBytes(Rfc7515A1.EncodedProtectedHeader), Encoding.ASCII.GetBytes(Rfc7515A1.PayloadJson), key);

        Assert.That(jws, Is.EqualTo(Rfc7515A1.CompactJws));
    }

    [Test]
    public void Rfc7515_A2_rs256_signature_is_reproduced()
    {
        using var key = new RsaJwsKey(ImportRsa(Rfc7515A2.N, Rfc7515A2.E, Rfc7515A2.D, Rfc7515A2.P, Rfc7515A2.Q, Rfc7515A2.Dp, Rfc7515A2.Dq, Rfc7515A2.Qi), JwsAlgorithm.RS256);

        string jws = JwsCompact.Sign(Encoding.ASCII.GetBytes(Rfc7515A2.EncodedProtectedHeader), Encoding.ASCII.GetBytes(Rfc7515A2.PayloadJson), key);

        Assert.That(jws, Is.EqualTo(Rfc7515A2.CompactJws));
        Assert.That(key.Verify(Encoding.ASCII.GetBytes(Rfc7515A2.SigningInput), Bytes(Rfc7515A2.Signature)), Is.True);
    }

    [Test]
    public void Rfc7515_A3_es256_signature_verifies_and_a_tampered_one_does_not()
    {
        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Bytes(Rfc7515A3.X), Y = Bytes(Rfc7515A3.Y) },
            D = Bytes(Rfc7515A3.D),
        });
        using var key = new EcJwsKey(ecdsa);
        byte[] signingInput = Encoding.ASCII.GetBytes(Rfc7515A3.SigningInput);
        byte[] signature = Bytes(Rfc7515A3.Signature);

        Assert.That(key.Verify(signingInput, signature), Is.True);
        signature[63] ^= 1;
        Assert.That(key.Verify(signingInput, signature), Is.False);
    }

    [Test]
    public void Rfc7515_A3_key_signs_what_it_then_verifies()
    {
        // ECDSA is randomized: the RFC's signature cannot be reproduced, only a fresh one checked.
        using var key = EcJwsKey.FromPublicKey(Bytes(Rfc7515A3.X), Bytes(Rfc7515A3.Y));
        var signer = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Bytes(Rfc7515A3.X), Y = Bytes(Rfc7515A3.Y) },
            D = Bytes(Rfc7515A3.D),
        });
        using var privateKey = new EcJwsKey(signer);
        string jws = JwsCompact.Sign(Encoding.ASCII.GetBytes(Rfc7515A3.EncodedProtectedHeader), Encoding.ASCII.GetBytes(Rfc7515A3.PayloadJson), privateKey);
        string[] parts = jws.Split('.');

        Assert.That($"{parts[0]}.{parts[1]}", Is.EqualTo(Rfc7515A3.SigningInput));
        Assert.That(key.Verify(Encoding.ASCII.GetBytes(Rfc7515A3.SigningInput), Bytes(parts[2])), Is.True);
    }

    [Test]
    public void Rfc7520_4_1_rs256_signature_is_reproduced()
    {
        using var key = new RsaJwsKey(
            ImportRsa(Rfc7520.RsaKey.N, Rfc7520.RsaKey.E, Rfc7520.RsaKey.D, Rfc7520.RsaKey.P, Rfc7520.RsaKey.Q, Rfc7520.RsaKey.Dp, Rfc7520.RsaKey.Dq, Rfc7520.RsaKey.Qi),
            JwsAlgorithm.RS256,
            Rfc7520.RsaKey.Kid);

        string jws = JwsCompact.Sign(Encoding.ASCII.GetBytes(Rfc7520.Rs256.EncodedProtectedHeader), Encoding.UTF8.GetBytes(Rfc7520.Payload), key);

        Assert.That(jws, Is.EqualTo(Rfc7520.Rs256.CompactJws));
    }

    [Test]
    public void Rfc7520_4_4_hs256_signature_is_reproduced()
    {
        using var key = new HmacJwsKey(Bytes(Rfc7520.HmacKey.K), Rfc7520.HmacKey.Kid);

        string jws = JwsCompact.Sign(Encoding.ASCII.GetBytes(Rfc7520.Hs256.EncodedProtectedHeader), Encoding.UTF8.GetBytes(Rfc7520.Payload), key);

        Assert.That(jws, Is.EqualTo(Rfc7520.Hs256.CompactJws));
        Assert.That(key.Verify(Encoding.ASCII.GetBytes(Rfc7520.Hs256.SigningInput), Bytes(Rfc7520.Hs256.Signature)), Is.True);
    }

    [Test]
    public void Rfc7520_payload_encoding_matches_the_published_one()
    {
        Assert.That(Base64UrlEncoding.Encode(Encoding.UTF8.GetBytes(Rfc7520.Payload)), Is.EqualTo(Rfc7520.EncodedPayload));
    }

    [Test]
    public void Rfc7638_3_1_thumbprint_is_reproduced()
    {
        using var key = RsaJwsKey.FromPublicKey(Bytes(Rfc7638.N), Bytes(Rfc7638.E), JwsAlgorithm.RS256);

        Assert.That(JwkThumbprint.Compute(key), Is.EqualTo(Rfc7638.Thumbprint));
    }

    [Test]
    public void A_key_without_an_explicit_kid_is_named_by_its_thumbprint()
    {
        using var key = RsaJwsKey.FromPublicKey(Bytes(Rfc7638.N), Bytes(Rfc7638.E), JwsAlgorithm.RS256);

        Assert.That(key.KeyId, Is.EqualTo(Rfc7638.Thumbprint));
    }

    [Test]
    public void Published_compact_tokens_verify_through_the_validator_up_to_the_claims()
    {
        // The RFC tokens carry no aud and expired in 2011, so the validator gets past the signature and
        // stops at the first claim check; that proves parsing and verification of a foreign token.
        using var key = new HmacJwsKey(Bytes(Rfc7515A1.K));
        var parameters = new JwtValidationParameters
        {
            Keys = new JwsKeySet(key),
            AllowedAlgorithms = [JwsAlgorithm.HS256],
            Issuer = "joe",
            Audiences = ["anyone"],
            TimeProvider = new Support.TestClock(DateTimeOffset.FromUnixTimeSeconds(1300819380 - 100)),
        };

        using JwtValidationResult result = JwtValidator.Validate(Rfc7515A1.CompactJws, parameters);

        Assert.That(result.Outcome, Is.EqualTo(JwtValidationOutcome.InvalidAudience));
    }

    private static byte[] Bytes(string base64Url) => Base64UrlEncoding.DecodeOrNull(base64Url)
        ?? throw new AssertionException($"Vector is not base64url: {base64Url}");

    private static RSA ImportRsa(string n, string e, string d, string p, string q, string dp, string dq, string qi)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = Bytes(n),
            Exponent = Bytes(e),
            D = Bytes(d),
            P = Bytes(p),
            Q = Bytes(q),
            DP = Bytes(dp),
            DQ = Bytes(dq),
            InverseQ = Bytes(qi),
        });
        return rsa;
    }
}
