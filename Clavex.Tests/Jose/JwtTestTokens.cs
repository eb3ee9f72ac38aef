using Clavex.Core.Jose;
using Clavex.Tests.Support;

namespace Clavex.Tests.Jose;

/// <summary>Builds and checks the tokens the JOSE tests share.</summary>
internal static class JwtTestTokens
{
    public const string Issuer = "https://id.acme.eu/acme";
    public const string Audience = "atlassian";

    /// <summary>An ID token for alice, issued now, expiring in five minutes.</summary>
    public static string CreateIdToken(JwsKey key, TimeProvider clock, JwtType? type = null)
    {
        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        using var jwt = JwtWriter.Create();
        var claims = jwt.Claims;
        claims.WriteString(JwtClaimNames.Iss, Issuer);
        claims.WriteString(JwtClaimNames.Sub, "u_7Hq2");
        claims.WriteString(JwtClaimNames.Aud, Audience);
        claims.WriteNumber(JwtClaimNames.Exp, now + 300);
        claims.WriteNumber(JwtClaimNames.Iat, now);
        claims.WriteNumber(JwtClaimNames.AuthTime, now - 10);
        claims.WriteString(JwtClaimNames.Nonce, "n-0S6_WzA2Mj");
        claims.WriteString(JwtClaimNames.PreferredUsername, "alice");
        claims.WriteString(JwtClaimNames.Email, "alice@acme.eu");
        claims.WriteBoolean(JwtClaimNames.EmailVerified, true);
        claims.WriteString(JwtClaimNames.Name, "Alice Ånström");
        claims.WriteStartArray(JwtClaimNames.Groups);
        claims.WriteStringValue("jira-administrators");
        claims.WriteStringValue("jira-software-users");
        claims.WriteStringValue("confluence-users");
        claims.WriteEndArray();
        return jwt.Sign(key, type ?? JwtType.Jwt);
    }

    public static JwtValidationParameters Parameters(TimeProvider clock, params JwsKey[] keys) =>
        Parameters(clock, [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256], keys);

    public static JwtValidationParameters Parameters(TimeProvider clock, JwsAlgorithm[] allowed, params JwsKey[] keys) => new()
    {
        Keys = new JwsKeySet(keys),
        AllowedAlgorithms = allowed,
        Issuer = Issuer,
        Audiences = [Audience],
        RequiredType = JwtType.Jwt,
        TimeProvider = clock,
    };

    public static JwtValidationOutcome Validate(string token, JwtValidationParameters parameters)
    {
        using JwtValidationResult result = JwtValidator.Validate(token, parameters);
        return result.Outcome;
    }

    public static TestClock NewClock() => new();
}
