using System.Security.Claims;
using System.Text.Json;
using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Results;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Clavex.Tests.Interop;

/// <summary>
/// OidcClient 6+ leaves ID token signature validation to a plug-in (its IdentityTokenValidator package, which the
/// package mirror lacks; without one it refuses to sign in). This one does what that package does: validates the
/// signature against the key set OidcClient discovered, the issuer, the audience and the lifetime, with
/// Microsoft.IdentityModel.JsonWebTokens. Nonce and at_hash checks stay OidcClient's own.
/// </summary>
internal sealed class JwksIdentityTokenValidator : IIdentityTokenValidator
{
    public async Task<IdentityTokenValidationResult> ValidateAsync(string identityToken, OidcClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new JsonWebKeySet(JsonSerializer.Serialize(options.ProviderInformation.KeySet));
        TokenValidationResult result = await new JsonWebTokenHandler().ValidateTokenAsync(identityToken, new TokenValidationParameters
        {
            ValidIssuer = options.ProviderInformation.IssuerName,
            ValidAudience = options.ClientId,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = options.Policy.ValidSignatureAlgorithms,
            NameClaimType = "name",
            RoleClaimType = "role",
        });
        if (!result.IsValid)
        {
            return new IdentityTokenValidationResult { Error = "invalid_id_token: " + result.Exception?.Message };
        }

        return new IdentityTokenValidationResult
        {
            User = new ClaimsPrincipal(result.ClaimsIdentity),
            SignatureAlgorithm = ((JsonWebToken)result.SecurityToken).Alg,
        };
    }
}
