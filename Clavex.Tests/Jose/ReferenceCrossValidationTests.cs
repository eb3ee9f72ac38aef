using System.Security.Claims;
using Clavex.Core.Jose;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Clavex.Tests.Jose.JwtTestTokens;

namespace Clavex.Tests.Jose;

/// <summary>
/// Microsoft.IdentityModel.JsonWebTokens, written by other people, is the independent judge: it accepts our
/// tokens with keys read from our JWK Set, and our validator accepts tokens it creates.
/// </summary>
public class ReferenceCrossValidationTests
{
    private static readonly JsonWebTokenHandler s_handler = new() { MapInboundClaims = false };

    [TestCase(JwsAlgorithm.RS256)]
    [TestCase(JwsAlgorithm.PS256)]
    [TestCase(JwsAlgorithm.ES256)]
    public async Task Our_id_token_passes_the_reference_validator_with_keys_from_our_jwks(JwsAlgorithm algorithm)
    {
        JwsKey key = TestKeys.For(algorithm);
        string token = CreateIdToken(key, TimeProvider.System);

        TokenValidationResult result = await s_handler.ValidateTokenAsync(token, ReferenceParameters(key, "JWT"));

        Assert.That(result.IsValid, Is.True, result.Exception?.Message);
        Assert.That(result.Claims["iss"], Is.EqualTo(Issuer));
        Assert.That(result.Claims["sub"], Is.EqualTo("u_7Hq2"));
        Assert.That(result.Claims["name"], Is.EqualTo("Alice Ånström"));
        Assert.That(result.Claims["email_verified"], Is.EqualTo(true));
        Assert.That(
            ((IEnumerable<object>)result.Claims["groups"]).Select(g => g.ToString()),
            Is.EqualTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));
        Assert.That(((JsonWebToken)result.SecurityToken).Kid, Is.EqualTo(key.KeyId));
    }

    [TestCase(JwsAlgorithm.RS256)]
    [TestCase(JwsAlgorithm.ES256)]
    public async Task Our_access_token_passes_the_reference_validator_as_at_jwt(JwsAlgorithm algorithm)
    {
        JwsKey key = TestKeys.For(algorithm);
        string token = CreateIdToken(key, TimeProvider.System, JwtType.AccessToken);

        TokenValidationResult result = await s_handler.ValidateTokenAsync(token, ReferenceParameters(key, "at+jwt"));

        Assert.That(result.IsValid, Is.True, result.Exception?.Message);
        Assert.That(((JsonWebToken)result.SecurityToken).Typ, Is.EqualTo("at+jwt"));
    }

    [Test]
    public async Task The_reference_validator_rejects_our_token_when_a_payload_byte_changes()
    {
        // Guards the test above against a reference configured so loosely that it accepts anything.
        string token = CreateIdToken(TestKeys.RS256, TimeProvider.System);
        string[] parts = token.Split('.');
        char flipped = parts[1][10] == 'A' ? 'B' : 'A';
        string forged = $"{parts[0]}.{parts[1][..10]}{flipped}{parts[1][11..]}.{parts[2]}";

        TokenValidationResult result = await s_handler.ValidateTokenAsync(forged, ReferenceParameters(TestKeys.RS256, "JWT"));

        Assert.That(result.IsValid, Is.False);
    }

    [TestCase(JwsAlgorithm.RS256, SecurityAlgorithms.RsaSha256)]
    [TestCase(JwsAlgorithm.PS256, SecurityAlgorithms.RsaSsaPssSha256)]
    [TestCase(JwsAlgorithm.ES256, SecurityAlgorithms.EcdsaSha256)]
    public void Reference_token_passes_our_validator(JwsAlgorithm algorithm, string referenceAlgorithm)
    {
        JwsKey key = TestKeys.For(algorithm);
        SecurityKey signingKey = key switch
        {
            RsaJwsKey rsa => new RsaSecurityKey(rsa.Rsa) { KeyId = key.KeyId },
            EcJwsKey ec => new ECDsaSecurityKey(ec.Ecdsa) { KeyId = key.KeyId },
            _ => throw new AssertionException("unexpected key"),
        };
        string token = s_handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "u_7Hq2"), new Claim("preferred_username", "alice")]),
            IssuedAt = DateTime.UtcNow,
            NotBefore = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(signingKey, referenceAlgorithm),
        });

        using JwtValidationResult result = JwtValidator.Validate(token, Parameters(TimeProvider.System, key));

        Assert.That(result.Outcome, Is.EqualTo(JwtValidationOutcome.Valid));
        Assert.That(result.Payload.GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));
    }

    [Test]
    public void Reference_token_signed_by_another_key_with_our_kid_is_refused()
    {
        using var impostor = System.Security.Cryptography.RSA.Create(2048);
        string token = s_handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(impostor) { KeyId = TestKeys.RS256.KeyId }, SecurityAlgorithms.RsaSha256),
        });

        Assert.That(Validate(token, Parameters(TimeProvider.System, TestKeys.RS256)), Is.EqualTo(JwtValidationOutcome.InvalidSignature));
    }

    private static TokenValidationParameters ReferenceParameters(JwsKey key, string type) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        ValidTypes = [type],
        ValidAlgorithms = [JwsAlgorithms.GetName(key.Algorithm)],
        IssuerSigningKeys = new JsonWebKeySet(JwkSet.ToJson([key])).GetSigningKeys(),
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuerSigningKey = true,
        TryAllIssuerSigningKeys = false,
    };
}
