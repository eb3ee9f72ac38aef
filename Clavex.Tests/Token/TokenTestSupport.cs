using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Tests.Support;

namespace Clavex.Tests.Token;

internal static class TokenTestSupport
{
    /// <summary>Decodes a JWT's payload without validation, for asserting exact claims.</summary>
    public static JsonElement Payload(string jwt)
    {
        string segment = jwt.Split('.')[1];
        return JsonDocument.Parse(Base64UrlEncoding.DecodeOrNull(segment)!).RootElement.Clone();
    }

    public static JsonElement Header(string jwt) =>
        JsonDocument.Parse(Base64UrlEncoding.DecodeOrNull(jwt.Split('.')[0])!).RootElement.Clone();

    /// <summary>Validates an ID token the way a relying party would, with the fixture's published keys.</summary>
    public static JwtValidationOutcome ValidateIdToken(string idToken, ProtocolFixture fixture, string audience = "atlassian")
    {
        using JwtValidationResult result = JwtValidator.Validate(idToken, new JwtValidationParameters
        {
            Keys = new JwsKeySet(ProtocolFixture.SigningKey),
            AllowedAlgorithms = [JwsAlgorithm.RS256],
            Issuer = ProtocolFixture.Issuer,
            Audiences = [audience],
            RequiredType = JwtType.Jwt,
            TimeProvider = fixture.Clock,
        });
        return result.Outcome;
    }
}
