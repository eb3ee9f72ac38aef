using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Clavex.Core.Jose;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Clavex.Benchmarks;

/// <summary>
/// Creating a typical ID token, as the token endpoint does for every sign-in: Clavex.Core's writer against
/// <see cref="JsonWebTokenHandler.CreateToken(SecurityTokenDescriptor)"/>, same key, same claims.
/// The reference gets its best case: its descriptor and claim dictionary are built once, not per token.
/// </summary>
[MemoryDiagnoser]
public class IdTokenBenchmarks
{
    private const string Issuer = "https://id.acme.eu/acme";
    private const string Subject = "u_01JD7Z3K9Q4W8E2R6T";
    private const string ClientId = "atlassian";
    private const string Nonce = "n-0S6_WzA2Mj";
    private const string AtHash = "77QmUPtjPfzWtF2AnpK9RQ";
    private const string Email = "alice@acme.eu";
    private const string Name = "Alice Andersson";
    private const string Username = "alice";
    private const long IssuedAt = 1795424400;

    private static readonly string[] Groups = ["jira-administrators", "jira-software-users", "confluence-users"];

    private JwsKey _key = null!;
    private JsonWebTokenHandler _handler = null!;
    private SecurityTokenDescriptor _descriptor = null!;

    [Params(JwsAlgorithm.RS256, JwsAlgorithm.ES256)]
    public JwsAlgorithm Algorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        SecurityKey referenceKey;
        string referenceAlgorithm;
        if (Algorithm == JwsAlgorithm.ES256)
        {
            var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _key = new EcJwsKey(ecdsa);
            referenceKey = new ECDsaSecurityKey(ecdsa) { KeyId = _key.KeyId };
            referenceAlgorithm = SecurityAlgorithms.EcdsaSha256;
        }
        else
        {
            var rsa = RSA.Create(2048);
            _key = new RsaJwsKey(rsa, JwsAlgorithm.RS256);
            referenceKey = new RsaSecurityKey(rsa) { KeyId = _key.KeyId };
            referenceAlgorithm = SecurityAlgorithms.RsaSha256;
        }

        _handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        _descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = Issuer,
                ["sub"] = Subject,
                ["aud"] = ClientId,
                ["exp"] = IssuedAt + 300,
                ["iat"] = IssuedAt,
                ["auth_time"] = IssuedAt - 5,
                ["nonce"] = Nonce,
                ["at_hash"] = AtHash,
                ["email"] = Email,
                ["name"] = Name,
                ["preferred_username"] = Username,
                ["groups"] = Groups,
            },
            SigningCredentials = new SigningCredentials(referenceKey, referenceAlgorithm),
        };

        CheckBothTokensValidate();
    }

    [Benchmark(Baseline = true)]
    public string JsonWebTokenHandler_CreateToken() => _handler.CreateToken(_descriptor);

    [Benchmark]
    public string Clavex_JwtWriter()
    {
        using var jwt = JwtWriter.Create();
        var claims = jwt.Claims;
        claims.WriteString(JwtClaimNames.Iss, Issuer);
        claims.WriteString(JwtClaimNames.Sub, Subject);
        claims.WriteString(JwtClaimNames.Aud, ClientId);
        claims.WriteNumber(JwtClaimNames.Exp, IssuedAt + 300);
        claims.WriteNumber(JwtClaimNames.Iat, IssuedAt);
        claims.WriteNumber(JwtClaimNames.AuthTime, IssuedAt - 5);
        claims.WriteString(JwtClaimNames.Nonce, Nonce);
        claims.WriteString(JwtClaimNames.AtHash, AtHash);
        claims.WriteString(JwtClaimNames.Email, Email);
        claims.WriteString(JwtClaimNames.Name, Name);
        claims.WriteString(JwtClaimNames.PreferredUsername, Username);
        claims.WriteStartArray(JwtClaimNames.Groups);
        foreach (string group in Groups)
        {
            claims.WriteStringValue(group);
        }

        claims.WriteEndArray();
        return jwt.Sign(_key, JwtType.Jwt);
    }

    /// <summary>A benchmark of tokens nobody can validate would measure nothing; both outputs are checked first.</summary>
    private void CheckBothTokensValidate()
    {
        var parameters = new JwtValidationParameters
        {
            Keys = new JwsKeySet(_key),
            AllowedAlgorithms = [_key.Algorithm],
            Issuer = Issuer,
            Audiences = [ClientId],
            TimeProvider = new FixedTime(DateTimeOffset.FromUnixTimeSeconds(IssuedAt + 10)),
        };
        foreach (string token in new[] { Clavex_JwtWriter(), JsonWebTokenHandler_CreateToken() })
        {
            using JwtValidationResult result = JwtValidator.Validate(token, parameters);
            if (!result.IsValid || result.Payload.GetProperty("groups").GetArrayLength() != Groups.Length)
            {
                throw new InvalidOperationException($"Benchmark token failed validation: {result.Outcome}");
            }
        }

        var reference = _handler.ValidateTokenAsync(Clavex_JwtWriter(), new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = ClientId,
            IssuerSigningKeys = new JsonWebKeySet(JwkSet.ToJson([_key])).GetSigningKeys(),
            ValidateLifetime = false,
        }).GetAwaiter().GetResult();
        if (!reference.IsValid)
        {
            throw new InvalidOperationException("JsonWebTokenHandler refused Clavex's token.", reference.Exception);
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
