using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Clavex.Core.Jose;

namespace Clavex.Tests.Jose;

public sealed class JwkReaderTests
{
    private static readonly byte[] SigningInput = Encoding.ASCII.GetBytes("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1XzEifQ");

    [Test]
    public void A_jwk_set_written_by_JwkSet_reads_back_to_the_same_public_keys()
    {
        string json = JwkSet.ToJson([TestKeys.RS256, TestKeys.PS256, TestKeys.ES256]);

        JwsKeySet set = Read(json);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { TestKeys.RS256.KeyId, TestKeys.PS256.KeyId, TestKeys.ES256.KeyId }));
            Assert.That(set.Keys.Select(k => k.Algorithm), Is.EqualTo(new[] { JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256 }));
            Assert.That(set.Keys.Select(k => k.HasPrivateKey), Is.All.False);
            Assert.That(JwkSet.ToJson(set.Keys), Is.EqualTo(json));
        }
    }

    [TestCase(JwsAlgorithm.RS256)]
    [TestCase(JwsAlgorithm.PS256)]
    [TestCase(JwsAlgorithm.ES256)]
    public void A_key_read_back_verifies_what_the_original_signed(JwsAlgorithm algorithm)
    {
        JwsKey original = TestKeys.For(algorithm);
        var signature = new byte[original.SignatureSize];
        Assert.That(original.TrySign(SigningInput, signature, out _), Is.True);

        JwsKey read = Read(JwkSet.ToJson([original])).Keys.Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Verify(SigningInput, signature), Is.True);
            Assert.That(read.Verify([.. SigningInput, (byte)'x'], signature), Is.False);
        }
    }

    [Test]
    public void A_given_kid_is_kept_and_a_missing_one_becomes_the_thumbprint()
    {
        string json = Set(
            Edit(TestKeys.RS256, jwk => jwk["kid"] = "client-key-2026"),
            Edit(TestKeys.ES256, jwk => jwk.Remove("kid")));

        JwsKeySet set = Read(json);

        Assert.That(set.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { "client-key-2026", JwkThumbprint.Compute(TestKeys.ES256) }));
    }

    [Test]
    public void Without_alg_an_rsa_key_is_RS256_and_an_ec_key_ES256()
    {
        JwsKeySet set = Read(Set(
            Edit(TestKeys.PS256, jwk => jwk.Remove("alg")),
            Edit(TestKeys.ES256, jwk => jwk.Remove("alg"))));

        Assert.That(set.Keys.Select(k => k.Algorithm), Is.EqualTo(new[] { JwsAlgorithm.RS256, JwsAlgorithm.ES256 }));
    }

    [Test]
    public void Members_clavex_does_not_read_are_ignored()
    {
        JwsKeySet set = Read(Set(Edit(TestKeys.ES256, jwk =>
        {
            jwk["key_ops"] = new JsonArray("verify");
            jwk["x5t#S256"] = "bm90LXVzZWQ";
        })));

        Assert.That(set.Keys.Single().KeyId, Is.EqualTo(TestKeys.ES256.KeyId));
    }

    [Test]
    public void An_empty_jwk_set_is_read_as_no_keys()
    {
        Assert.That(Read("""{"keys":[]}""").Keys, Is.Empty);
    }

    [TestCase("d")]
    [TestCase("p")]
    [TestCase("q")]
    [TestCase("dp")]
    [TestCase("dq")]
    [TestCase("qi")]
    [TestCase("oth")]
    public void An_rsa_key_with_a_private_member_is_refused(string member)
    {
        string json = Set(Edit(TestKeys.RS256, jwk => jwk[member] = "AQAB"));

        Assert.That(Refusal(json), Is.EqualTo($"keys[0]: The JWK has the private member '{member}': register the public key only."));
    }

    [Test]
    public void An_ec_key_with_its_private_scalar_is_refused()
    {
        ECParameters parameters = TestKeys.ES256.Ecdsa.ExportParameters(includePrivateParameters: true);
        string json = Set(Edit(TestKeys.ES256, jwk => jwk["d"] = Base64UrlEncoding.Encode(parameters.D)));

        Assert.That(Refusal(json), Is.EqualTo("keys[0]: The JWK has the private member 'd': register the public key only."));
    }

    [Test]
    public void A_symmetric_key_is_refused()
    {
        string json = """{"keys":[{"kty":"oct","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}""";

        Assert.That(Refusal(json), Is.EqualTo("keys[0]: Symmetric (oct) keys are refused: a JWK Set holds public keys only."));
    }

    [TestCase("RSA", "RS384", "keys[0]: The alg 'RS384' is not supported for RSA keys; use RS256 or PS256.")]
    [TestCase("RSA", "HS256", "keys[0]: The alg 'HS256' is not supported for RSA keys; use RS256 or PS256.")]
    [TestCase("RSA", "ES256", "keys[0]: The alg 'ES256' is not supported for RSA keys; use RS256 or PS256.")]
    [TestCase("RSA", "none", "keys[0]: The alg 'none' is not supported for RSA keys; use RS256 or PS256.")]
    [TestCase("EC", "ES384", "keys[0]: The alg 'ES384' is not supported for EC keys; use ES256.")]
    [TestCase("EC", "RS256", "keys[0]: The alg 'RS256' is not supported for EC keys; use ES256.")]
    public void An_unknown_or_mismatched_alg_is_refused(string kty, string alg, string expected)
    {
        JwsKey key = kty == "RSA" ? TestKeys.RS256 : TestKeys.ES256;

        Assert.That(Refusal(Set(Edit(key, jwk => jwk["alg"] = alg))), Is.EqualTo(expected));
    }

    [TestCase("OKP", "keys[0]: The kty 'OKP' is not supported; use RSA or EC.")]
    [TestCase("rsa", "keys[0]: The kty 'rsa' is not supported; use RSA or EC.")]
    public void An_unknown_kty_is_refused(string kty, string expected)
    {
        Assert.That(Refusal(Set(Edit(TestKeys.RS256, jwk => jwk["kty"] = kty))), Is.EqualTo(expected));
    }

    [TestCase("P-384", "keys[0]: The crv 'P-384' is not supported; use P-256.")]
    [TestCase("secp256k1", "keys[0]: The crv 'secp256k1' is not supported; use P-256.")]
    [TestCase(null, "keys[0]: The EC key has no crv.")]
    public void An_unknown_or_missing_crv_is_refused(string? crv, string expected)
    {
        string json = Set(Edit(TestKeys.ES256, jwk =>
        {
            jwk.Remove("crv");
            if (crv is not null)
            {
                jwk["crv"] = crv;
            }
        }));

        Assert.That(Refusal(json), Is.EqualTo(expected));
    }

    [TestCase("enc")]
    [TestCase("SIG")]
    public void A_use_other_than_sig_is_refused(string use)
    {
        Assert.That(
            Refusal(Set(Edit(TestKeys.ES256, jwk => jwk["use"] = use))),
            Is.EqualTo($"keys[0]: The JWK's use is '{use}'; only 'sig' keys verify signatures."));
    }

    [TestCase("n", "=")]
    [TestCase("n", "+")]
    [TestCase("e", "/")]
    [TestCase("e", " ")]
    public void A_member_that_is_not_strict_base64url_is_refused(string member, string suffix)
    {
        string json = Set(Edit(TestKeys.RS256, jwk => jwk[member] = jwk[member]!.GetValue<string>() + suffix));

        Assert.That(Refusal(json), Is.EqualTo($"keys[0]: The JWK member '{member}' is not base64url without padding."));
    }

    [Test]
    public void A_missing_modulus_is_refused()
    {
        Assert.That(Refusal(Set(Edit(TestKeys.RS256, jwk => jwk.Remove("n")))), Is.EqualTo("keys[0]: The JWK has no n."));
    }

    [Test]
    public void An_rsa_key_shorter_than_2048_bits_is_refused()
    {
        using var rsa = RSA.Create(1024);
        RSAParameters parameters = rsa.ExportParameters(includePrivateParameters: false);
        string json = $$"""{"keys":[{"kty":"RSA","n":"{{Base64UrlEncoding.Encode(parameters.Modulus)}}","e":"AQAB"}]}""";

        Assert.That(Refusal(json), Is.EqualTo("keys[0]: The RSA key has 1024 bits; at least 2048 are required (RFC 7518 §3.3)."));
    }

    [Test]
    public void A_modulus_with_a_leading_zero_octet_is_refused()
    {
        RSAParameters parameters = TestKeys.RS256.Rsa.ExportParameters(includePrivateParameters: false);
        string json = Set(Edit(TestKeys.RS256, jwk => jwk["n"] = Base64UrlEncoding.Encode([0, .. parameters.Modulus!])));

        Assert.That(Refusal(json), Is.EqualTo("keys[0]: The RSA n and e must not have leading zero octets (RFC 7518 §6.3.1.1)."));
    }

    [Test]
    public void A_short_ec_coordinate_is_refused()
    {
        ECParameters parameters = TestKeys.ES256.Ecdsa.ExportParameters(includePrivateParameters: false);
        string json = Set(Edit(TestKeys.ES256, jwk => jwk["x"] = Base64UrlEncoding.Encode(parameters.Q.X.AsSpan(1))));

        Assert.That(Refusal(json), Is.EqualTo("keys[0]: P-256 coordinates x and y are 32 octets each."));
    }

    [Test]
    public void A_point_that_is_not_on_the_curve_is_refused()
    {
        ECParameters parameters = TestKeys.ES256.Ecdsa.ExportParameters(includePrivateParameters: false);
        byte[] y = [.. parameters.Q.Y!];
        y[^1] ^= 1;
        string json = Set(Edit(TestKeys.ES256, jwk => jwk["y"] = Base64UrlEncoding.Encode(y)));

        Assert.That(Refusal(json), Is.EqualTo("keys[0]: The EC x and y are not a point on P-256."));
    }

    [Test]
    public void A_member_given_twice_is_refused()
    {
        string jwk = JwkSet.ToJson([TestKeys.ES256])[..^3] + ""","alg":"ES256"}]}""";

        Assert.That(Refusal(jwk), Is.EqualTo("keys[0]: The JWK has the member 'alg' twice."));
    }

    [Test]
    public void A_member_that_is_not_a_string_is_refused()
    {
        Assert.That(Refusal(Set(Edit(TestKeys.ES256, jwk => jwk["kid"] = 7))), Is.EqualTo("keys[0]: The JWK member 'kid' must be a string."));
    }

    [Test]
    public void Two_keys_with_the_same_kid_are_refused()
    {
        string json = Set(
            Edit(TestKeys.RS256, jwk => jwk["kid"] = "k1"),
            Edit(TestKeys.ES256, jwk => jwk["kid"] = "k1"));

        Assert.That(Refusal(json), Is.EqualTo("keys[1]: the kid 'k1' is used by an earlier key."));
    }

    [Test]
    public void The_failing_key_is_named_by_its_index()
    {
        string json = Set(Edit(TestKeys.RS256, _ => { }), Edit(TestKeys.ES256, jwk => jwk.Remove("kty")));

        Assert.That(Refusal(json), Is.EqualTo("keys[1]: The JWK has no kty."));
    }

    [TestCase("", "The JWK Set is not valid JSON.")]
    [TestCase("{\"keys\":[]", "The JWK Set is not valid JSON.")]
    [TestCase("{\"keys\":[]} {}", "The JWK Set is not valid JSON.")]
    [TestCase("[]", "A JWK Set is an object with a \"keys\" array (RFC 7517 §5).")]
    [TestCase("{\"keys\":{}}", "A JWK Set is an object with a \"keys\" array (RFC 7517 §5).")]
    [TestCase("{\"keys\":[\"RSA\"]}", "keys[0]: A JWK is a JSON object.")]
    public void A_document_that_is_not_a_jwk_set_is_refused(string json, string expected)
    {
        Assert.That(Refusal(json), Is.EqualTo(expected));
    }

    private static JwsKeySet Read(string json)
    {
        bool read = JwkReader.TryReadKeySet(Encoding.UTF8.GetBytes(json), out JwsKeySet? set, out string? error);
        Assert.That(read, Is.True, error);
        return set!;
    }

    private static string? Refusal(string json)
    {
        bool read = JwkReader.TryReadKeySet(Encoding.UTF8.GetBytes(json), out JwsKeySet? set, out string? error);
        Assert.That(read, Is.False);
        Assert.That(set, Is.Null);
        return error;
    }

    private static JsonObject Edit(JwsKey key, Action<JsonObject> edit)
    {
        JsonObject jwk = JsonNode.Parse(JwkSet.ToJson([key]))!["keys"]![0]!.AsObject();
        jwk.Parent!.AsArray().Clear();
        edit(jwk);
        return jwk;
    }

    private static string Set(params JsonObject[] keys) => new JsonObject { ["keys"] = new JsonArray([.. keys]) }.ToJsonString();
}
