using System.Globalization;
using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Clients;

/// <summary><c>private_key_jwt</c> (OIDC Core §9, RFC 7523 §2.2 and §3): a JWT the client signs with a key it registered.</summary>
internal static class ClientAssertionValidator
{
    /// <summary>
    /// How far ahead of now an assertion's <c>exp</c> may be. An assertion is made for one request, and its <c>jti</c>
    /// is remembered until <c>exp</c>, so a long lifetime only widens the window for a stolen one. Ten minutes because
    /// MSAL, a common issuer of client assertions, sets <c>exp</c> ten minutes ahead.
    /// </summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    // Asymmetric only: HS256 would be client_secret_jwt, a different method that Clavex does not offer.
    private static readonly JwsAlgorithm[] s_algorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];

    /// <summary>
    /// The client id the assertion claims to be from (<c>iss</c>, or <c>sub</c>), read WITHOUT verifying anything,
    /// only to find the client whose keys then verify it. Null when unreadable or when <c>iss</c> and <c>sub</c> differ.
    /// </summary>
    public static string? ReadUnverifiedClientId(string assertion)
    {
        if (assertion.Length > JwtValidationParameters.DefaultMaxTokenLength)
        {
            return null;
        }

        int firstDot = assertion.IndexOf('.', StringComparison.Ordinal);
        int secondDot = firstDot < 0 ? -1 : assertion.IndexOf('.', firstDot + 1);
        byte[]? payload = secondDot < 0 ? null : Base64UrlEncoding.DecodeOrNull(assertion.AsSpan(firstDot + 1, secondDot - firstDot - 1));
        if (payload is null)
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(payload);
            JsonElement claims = document.RootElement;
            if (claims.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? issuer = JoseJson.ReadString(claims, JwtClaimNames.Iss.EncodedUtf8Bytes);
            string? subject = JoseJson.ReadString(claims, JwtClaimNames.Sub.EncodedUtf8Bytes);
            return issuer is not null && subject is not null && !string.Equals(issuer, subject, StringComparison.Ordinal)
                ? null
                : issuer ?? subject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Verifies the assertion for <paramref name="client"/> and spends its <c>jti</c>. Returns null when valid, else why not.</summary>
    public static async ValueTask<string?> ValidateAsync(
        string assertion,
        Client client,
        Organization organization,
        IReplayCache replayCache,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (client.Jwks is not { Keys.Count: > 0 } keys)
        {
            return "the client has no registered keys";
        }

        var parameters = new JwtValidationParameters
        {
            Keys = keys,
            AllowedAlgorithms = s_algorithms,

            // RFC 7523 §3: iss and sub are both the client id; the validator checks iss, the claims check sub.
            Issuer = client.ClientId,

            // RFC 7523 §3 and OIDC Core §9: aud identifies this server; the token endpoint URL is what OIDC Core
            // suggests and the issuer what newer guidance (and many libraries) use.
            Audiences = [organization.TokenEndpoint, organization.Issuer],
            RequireExpiration = true,
            ClockSkew = ClockSkew,
            TimeProvider = timeProvider,
        };

        string jti;
        DateTimeOffset rememberUntil;
        using (JwtValidationResult result = JwtValidator.Validate(assertion, parameters))
        {
            if (!result.IsValid)
            {
                return $"client assertion refused: {result.Outcome}";
            }

            string? refusal = CheckClaims(result.Payload, client.ClientId, timeProvider.GetUtcNow(), out jti, out rememberUntil);
            if (refusal is not null)
            {
                return refusal;
            }
        }

        // RFC 7523 §3: the server may ensure a JWT is not replayed by remembering its jti until it expires. The
        // validator accepts an assertion until exp plus the clock skew, so it is remembered as long.
        return await replayCache.TryAddAsync(organization.Id, ReplayKey(client.ClientId, jti), rememberUntil, cancellationToken)
            ? null
            : "client assertion jti was already used";
    }

    private static string? CheckClaims(JsonElement claims, string clientId, DateTimeOffset now, out string jti, out DateTimeOffset rememberUntil)
    {
        jti = string.Empty;
        rememberUntil = default;
        if (!claims.TryGetProperty(JwtClaimNames.Sub.EncodedUtf8Bytes, out JsonElement subject) || subject.ValueKind != JsonValueKind.String || !subject.ValueEquals(clientId))
        {
            return "client assertion sub is not the client id";
        }

        if (JoseJson.ReadString(claims, JwtClaimNames.Jti.EncodedUtf8Bytes) is not { Length: > 0 } id)
        {
            return "client assertion has no jti";
        }

        // The validator has required exp and checked it is a number in the future.
        double expires = claims.GetProperty(JwtClaimNames.Exp.EncodedUtf8Bytes).GetDouble();
        double latest = now.ToUnixTimeSeconds() + (MaxLifetime + ClockSkew).TotalSeconds;
        if (expires > latest)
        {
            return string.Create(CultureInfo.InvariantCulture, $"client assertion exp is more than {MaxLifetime.TotalMinutes} minutes ahead");
        }

        jti = id;
        rememberUntil = DateTimeOffset.FromUnixTimeSeconds((long)Math.Ceiling(expires)) + ClockSkew;
        return null;
    }

    // A jti need only be unique per issuer, i.e. per client. The length prefix keeps ("a:b", "c") and ("a", "b:c") apart.
    private static string ReplayKey(string clientId, string jti) =>
        string.Create(CultureInfo.InvariantCulture, $"client_assertion:{clientId.Length}:{clientId}:{jti}");
}
