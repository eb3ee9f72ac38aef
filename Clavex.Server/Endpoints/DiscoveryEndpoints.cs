using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Server.Http;

namespace Clavex.Server.Endpoints;

/// <summary>OpenID Connect Discovery §4 and the JWK Set (RFC 7517 §5).</summary>
public static class DiscoveryEndpoints
{
    public static RouteGroupBuilder MapDiscovery(this RouteGroupBuilder group)
    {
        group.MapGet("/.well-known/openid-configuration", async (HttpContext context, DiscoveryOptions options, ISigningKeyStore keys) =>
        {
            Organization organization = context.GetOrganization();
            SigningKeys signingKeys = await keys.GetAsync(organization.Id, context.RequestAborted);
            options = options with { IdTokenSigningAlgorithms = SigningAlgorithms(signingKeys) };
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Bytes(DiscoveryDocument.ToUtf8Json(organization, options), "application/json; charset=utf-8");
        });

        group.MapGet("/jwks", async (HttpContext context, ISigningKeyStore keys) =>
        {
            Organization organization = context.GetOrganization();
            SigningKeys signingKeys = await keys.GetAsync(organization.Id, context.RequestAborted);
            context.Response.Headers.CacheControl = $"public, max-age={(int)JwkSet.CacheLifetime.TotalSeconds}";
            return Results.Bytes(JwkSet.ToUtf8Json(signingKeys.Published), "application/jwk-set+json; charset=utf-8");
        });

        return group;
    }

    /// <summary>
    /// The algorithms of the published keys, the signing key's first: exactly what ID tokens are signed with now and,
    /// during a rotation that switches algorithm, will be (the next key is published before it signs, so discovery
    /// names its algorithm in time too).
    /// </summary>
    private static JwsAlgorithm[] SigningAlgorithms(SigningKeys keys)
    {
        var algorithms = new List<JwsAlgorithm>(3) { keys.Current.Algorithm };
        foreach (JwsKey key in keys.Published)
        {
            if (!algorithms.Contains(key.Algorithm))
            {
                algorithms.Add(key.Algorithm);
            }
        }

        return [.. algorithms];
    }
}
