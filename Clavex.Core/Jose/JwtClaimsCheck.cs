using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>The registered-claim checks of RFC 7519 §4.1, run on a payload whose signature is already verified.</summary>
internal static class JwtClaimsCheck
{
    public static JwtValidationOutcome Run(JsonElement claims, JwtValidationParameters parameters)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            return JwtValidationOutcome.InvalidPayload;
        }

        if (!claims.TryGetProperty(JwtClaimNames.Iss.EncodedUtf8Bytes, out JsonElement issuer)
            || issuer.ValueKind != JsonValueKind.String
            || !issuer.ValueEquals(parameters.Issuer))
        {
            return JwtValidationOutcome.InvalidIssuer;
        }

        if (!HasAcceptedAudience(claims, parameters.Audiences))
        {
            return JwtValidationOutcome.InvalidAudience;
        }

        return CheckTimes(claims, parameters);
    }

    // RFC 7519 §4.1.3: aud is a string or an array of strings; one accepted value is enough.
    private static bool HasAcceptedAudience(JsonElement claims, IReadOnlyList<string> accepted)
    {
        if (!claims.TryGetProperty(JwtClaimNames.Aud.EncodedUtf8Bytes, out JsonElement audience))
        {
            return false;
        }

        if (audience.ValueKind == JsonValueKind.String)
        {
            return IsAccepted(audience, accepted);
        }

        if (audience.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (JsonElement item in audience.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && IsAccepted(item, accepted))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAccepted(JsonElement value, IReadOnlyList<string> accepted)
    {
        for (int i = 0; i < accepted.Count; i++)
        {
            if (value.ValueEquals(accepted[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static JwtValidationOutcome CheckTimes(JsonElement claims, JwtValidationParameters parameters)
    {
        // NumericDate may carry fractions of a second (RFC 7519 §2), so compare in seconds as doubles.
        double now = parameters.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        double skew = parameters.ClockSkew.TotalSeconds;

        if (claims.TryGetProperty(JwtClaimNames.Exp.EncodedUtf8Bytes, out JsonElement exp))
        {
            if (exp.ValueKind != JsonValueKind.Number || !exp.TryGetDouble(out double expires))
            {
                return JwtValidationOutcome.InvalidPayload;
            }

            // RFC 7519 §4.1.4: the current time must be before exp.
            if (now >= expires + skew)
            {
                return JwtValidationOutcome.Expired;
            }
        }
        else if (parameters.RequireExpiration)
        {
            return JwtValidationOutcome.MissingExpiration;
        }

        if (claims.TryGetProperty(JwtClaimNames.Nbf.EncodedUtf8Bytes, out JsonElement nbf))
        {
            if (nbf.ValueKind != JsonValueKind.Number || !nbf.TryGetDouble(out double notBefore))
            {
                return JwtValidationOutcome.InvalidPayload;
            }

            if (now + skew < notBefore)
            {
                return JwtValidationOutcome.NotYetValid;
            }
        }

        if (claims.TryGetProperty(JwtClaimNames.Iat.EncodedUtf8Bytes, out JsonElement iat))
        {
            if (iat.ValueKind != JsonValueKind.Number || !iat.TryGetDouble(out double issuedAt))
            {
                return JwtValidationOutcome.InvalidPayload;
            }

            if (issuedAt > now + skew)
            {
                return JwtValidationOutcome.IssuedInFuture;
            }
        }

        return JwtValidationOutcome.Valid;
    }
}
