using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, forged and misused bearer tokens at the organisation's own resource servers: userinfo answers each with
/// 401 and an <c>invalid_token</c> challenge, introspection with <c>{"active":false}</c> and nothing else. The forgeries
/// are built here from a genuine access token and the published JWKS, with the BCL's own crypto.
/// </summary>
public class ForgedTokenTests : AdversarialTestBase
{
    /// <summary>What was done to a genuine access token (or what was presented instead of one).</summary>
    public enum Forgery
    {
        /// <summary>RFC 8725 §2.1 and §3.1: <c>alg: none</c> and no signature.</summary>
        AlgNone,

        /// <summary>As <see cref="AlgNone"/>, spelled as some libraries accept it.</summary>
        AlgNoneCapitalised,

        /// <summary>RFC 8725 §2.1 (algorithm confusion): HS256 keyed with the RSA modulus bytes of the JWK.</summary>
        Hs256KeyedWithTheModulus,

        /// <summary>HS256 keyed with the public key's SubjectPublicKeyInfo DER bytes.</summary>
        Hs256KeyedWithTheSpki,

        /// <summary>HS256 keyed with the public key as PEM text, the classic confusion.</summary>
        Hs256KeyedWithThePem,

        /// <summary>HS256 keyed with the JWK's JSON text as published.</summary>
        Hs256KeyedWithTheJwkJson,

        /// <summary>RS256 under an attacker's key, with a <c>kid</c> the organisation never published.</summary>
        UnknownKid,

        /// <summary>RS256 under an attacker's key, claiming the organisation's <c>kid</c>.</summary>
        OrganisationsKidOnAnAttackersSignature,

        /// <summary>RFC 7515 §4.1.3 / RFC 8725 §3.10: the attacker's key embedded as <c>jwk</c> in the header.</summary>
        EmbeddedJwk,

        /// <summary>RFC 7519 §4.1.4: a genuine token after its <c>exp</c> (the test clock moved past it).</summary>
        Expired,

        /// <summary>OIDC Core §2 and RFC 9068 §2.1: a genuine ID token (aud is the client, typ JWT) as access token.</summary>
        IdToken,

        /// <summary>RFC 9068 §4: a genuine access token of another organisation (its iss and aud, its key).</summary>
        OtherOrganisationsToken,

        /// <summary>RFC 7515 §5.2: one bit of the signature flipped.</summary>
        SignatureBitFlip,

        /// <summary>RFC 7515 §5.2: the payload changed (another sub), the signature kept.</summary>
        PayloadModified,

        /// <summary>Header and payload kept, the signature left off.</summary>
        SignatureStripped,
    }

    [Test]
    public async Task A_forged_or_misused_token_is_invalid_at_userinfo_and_inactive_at_introspection([Values] Forgery forgery)
    {
        // RFC 6750 §3.1 (invalid_token: "expired, revoked, malformed, or invalid for other reasons"), RFC 7662 §2.2
        // ("active": false and nothing else), RFC 8725 §3.1 (the verifier chooses the algorithms), RFC 9700 §2.3
        // (access tokens restricted to their audience).
        TestOrganization org = await SharedOrganizationAsync();
        JsonElement tokens = await TokensAsync(org);
        Assert.That((await UserInfoAsync(org, tokens.GetProperty("access_token").GetString()!)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the genuine token works");

        string token = await ForgeAsync(org, tokens, forgery);

        AssertInvalidToken(await UserInfoAsync(org, token));
        Assert.That(await IntrospectAsync(org, token), Is.EqualTo("""{"active":false}"""));
    }

    [Test]
    public async Task A_refresh_token_is_no_bearer_token_at_userinfo()
    {
        // RFC 6749 §1.5 and §10.4: a refresh token is only ever sent to the token endpoint (introspection reports it to
        // its own client, RFC 7662 §2.2, which EndpointTests covers).
        TestOrganization org = await Server.SeedOrganizationAsync();
        string refreshToken = (await TokensAsync(org)).GetProperty("refresh_token").GetString()!;

        AssertInvalidToken(await UserInfoAsync(org, refreshToken));
    }

    private async Task<string> ForgeAsync(TestOrganization org, JsonElement tokens, Forgery forgery)
    {
        string genuine = tokens.GetProperty("access_token").GetString()!;
        string[] parts = genuine.Split('.');
        JsonObject header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
        using HttpClient client = Server.CreateClient();
        string jwksText = await client.GetStringAsync($"/{org.Slug}/jwks");
        JsonElement jwk = JsonDocument.Parse(jwksText).RootElement.GetProperty("keys")[0];
        Assert.That(header["kid"]!.GetValue<string>(), Is.EqualTo(jwk.GetProperty("kid").GetString()));
        using RSA published = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(jwk.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(jwk.GetProperty("e").GetString()),
        });
        using RSA attacker = RSA.Create(2048);

        switch (forgery)
        {
            case Forgery.AlgNone:
                return Unsigned(With(header, "alg", "none"), parts[1]);
            case Forgery.AlgNoneCapitalised:
                return Unsigned(With(header, "alg", "None"), parts[1]);
            case Forgery.Hs256KeyedWithTheModulus:
                return Hs256(header, parts[1], Base64Url.DecodeFromChars(jwk.GetProperty("n").GetString()));
            case Forgery.Hs256KeyedWithTheSpki:
                return Hs256(header, parts[1], published.ExportSubjectPublicKeyInfo());
            case Forgery.Hs256KeyedWithThePem:
                return Hs256(header, parts[1], Encoding.ASCII.GetBytes(published.ExportSubjectPublicKeyInfoPem()));
            case Forgery.Hs256KeyedWithTheJwkJson:
                return Hs256(header, parts[1], Encoding.UTF8.GetBytes(jwk.GetRawText()));
            case Forgery.UnknownKid:
                return Rs256(With(header, "kid", "attacker-key"), parts[1], attacker);
            case Forgery.OrganisationsKidOnAnAttackersSignature:
                return Rs256(header, parts[1], attacker);
            case Forgery.EmbeddedJwk:
                RSAParameters key = attacker.ExportParameters(false);
                JsonObject embedded = With(header, "jwk", new JsonObject
                {
                    ["kty"] = "RSA", ["n"] = Base64Url.EncodeToString(key.Modulus), ["e"] = Base64Url.EncodeToString(key.Exponent),
                });
                embedded.Remove("kid");
                return Rs256(embedded, parts[1], attacker);
            case Forgery.Expired:
                // RFC 9068 tokens of ten minutes; userinfo allows five seconds of skew between instances.
                Server.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(6));
                return genuine;
            case Forgery.IdToken:
                return tokens.GetProperty("id_token").GetString()!;
            case Forgery.OtherOrganisationsToken:
                return (await TokensAsync(await Server.SeedOrganizationAsync())).GetProperty("access_token").GetString()!;
            case Forgery.SignatureBitFlip:
                byte[] signature = Base64Url.DecodeFromChars(parts[2]);
                signature[signature.Length / 2] ^= 0x01;
                return $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}";
            case Forgery.PayloadModified:
                JsonObject payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
                payload["sub"] = "u_someone_else";
                return $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}";
            case Forgery.SignatureStripped:
                return $"{parts[0]}.{parts[1]}.";
            default:
                throw new ArgumentOutOfRangeException(nameof(forgery), forgery, null);
        }
    }

    private static JsonObject With(JsonObject header, string name, JsonNode value)
    {
        JsonObject copy = header.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    private static string Encode(JsonObject header) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));

    private static string Unsigned(JsonObject header, string payload) => $"{Encode(header)}.{payload}.";

    private static string Hs256(JsonObject header, string payload, byte[] key)
    {
        string input = $"{Encode(With(header, "alg", "HS256"))}.{payload}";
        return $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)))}";
    }

    private static string Rs256(JsonObject header, string payload, RSA key)
    {
        string input = $"{Encode(With(header, "alg", "RS256"))}.{payload}";
        return $"{input}.{Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
    }
}
