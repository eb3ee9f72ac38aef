using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Server.Http;

namespace Clavex.Server.Endpoints;

/// <summary>OpenID Connect Discovery §4 and the JWK Set (RFC 7517 §5).</summary>
public static class DiscoveryEndpoints
{
    /// <summary>
    /// How long relying parties may cache the JWK Set. Key rotation publishes the next key for longer than this before
    /// it signs anything, so no relying party ever sees a token signed by a key it has not fetched.
    /// </summary>
    public static readonly TimeSpan JwksCacheLifetime = TimeSpan.FromMinutes(5);

    public static RouteGroupBuilder MapDiscovery(this RouteGroupBuilder group)
    {
        group.MapGet("/.well-known/openid-configuration", (HttpContext context, DiscoveryOptions options) =>
        {
            Organization organization = context.GetOrganization();
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Bytes(DiscoveryDocument.ToUtf8Json(organization, options), "application/json; charset=utf-8");
        });

        group.MapGet("/jwks", async (HttpContext context, ISigningKeyStore keys) =>
        {
            Organization organization = context.GetOrganization();
            SigningKeys signingKeys = await keys.GetAsync(organization.Id, context.RequestAborted);
            context.Response.Headers.CacheControl = $"public, max-age={(int)JwksCacheLifetime.TotalSeconds}";
            return Results.Bytes(JwkSet.ToUtf8Json(signingKeys.Published), "application/jwk-set+json; charset=utf-8");
        });

        return group;
    }
}
