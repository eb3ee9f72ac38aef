using Clavex.Core;
using Clavex.Core.Protocol;
using Clavex.Core.Token;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Storage;

namespace Clavex.Server.Endpoints;

/// <summary>The token endpoint (RFC 6749 §3.2) and revocation (RFC 7009): parse, call the core, write.</summary>
public static class TokenEndpoints
{
    public static RouteGroupBuilder MapToken(this RouteGroupBuilder group)
    {
        group.MapPost("/token", HandleTokenAsync).RequireRateLimiting(RequestRateLimits.Token);
        group.MapPost("/revoke", HandleRevokeAsync).RequireRateLimiting(RequestRateLimits.Token);
        group.MapPost("/introspect", HandleIntrospectAsync).RequireRateLimiting(RequestRateLimits.Token);
        return group;
    }

    private static async Task<IResult> HandleTokenAsync(HttpContext context, OpenIdProvider provider, AuditLog audit, SecretUsage secretUsage)
    {
        Organization organization = context.GetOrganization();
        (ProtocolParameters? form, BasicHeader basic, IResult? refusal) = await ReadClientRequestAsync(context);
        if (refusal is not null)
        {
            return refusal;
        }

        TokenResult result = await provider.Token.HandleAsync(organization, form!, basic.Credentials, context.RequestAborted);
        audit.TokenRequest(context, organization, result);
        if (result is { ClientId: string clientId, ClientSecretId: string secretId })
        {
            secretUsage.Record(organization.Id, clientId, secretId);
        }

        return result.IsSuccess
            ? OAuthResults.Json(TokenResponseJson.Write(result.Value))
            : OAuthResults.Error(result.Error, basic.Present);
    }

    private static async Task<IResult> HandleRevokeAsync(HttpContext context, OpenIdProvider provider, AuditLog audit)
    {
        Organization organization = context.GetOrganization();
        (ProtocolParameters? form, BasicHeader basic, IResult? refusal) = await ReadClientRequestAsync(context);
        if (refusal is not null)
        {
            return refusal;
        }

        RevocationResult result = await provider.Revocation.HandleAsync(organization, form!, basic.Credentials, context.RequestAborted);
        audit.Revocation(context, organization, result);
        if (!result.IsSuccess)
        {
            return OAuthResults.Error(result.Error, basic.Present);
        }

        // RFC 7009 §2.2: 200 whether or not the token was valid.
        context.Response.Headers.CacheControl = "no-store";
        return Results.Ok();
    }

    private static async Task<IResult> HandleIntrospectAsync(HttpContext context, OpenIdProvider provider, AuditLog audit)
    {
        Organization organization = context.GetOrganization();
        (ProtocolParameters? form, BasicHeader basic, IResult? refusal) = await ReadClientRequestAsync(context);
        if (refusal is not null)
        {
            return refusal;
        }

        IntrospectionResult result = await provider.Introspection.HandleAsync(organization, form!, basic.Credentials, context.RequestAborted);
        if (!result.IsSuccess)
        {
            audit.Record(context, organization, "introspection.failed", false, result.ClientId, null,
                ("error", result.Error.ErrorName), ("reason", result.Error.Detail ?? result.Error.Description));
            return OAuthResults.Error(result.Error, basic.Present);
        }

        return OAuthResults.Json(result.Value);
    }

    /// <summary>The shared front of every client-authenticated POST endpoint: form body only, Basic well-formed.</summary>
    internal static async Task<(ProtocolParameters? Form, BasicHeader Basic, IResult? Refusal)> ReadClientRequestAsync(HttpContext context)
    {
        ProtocolParameters? form = await ProtocolRequest.FromFormAsync(context.Request, context.RequestAborted);
        if (form is null)
        {
            return (null, default, OAuthResults.Error(OAuthError.InvalidRequest("The request body must be application/x-www-form-urlencoded.")));
        }

        BasicHeader basic = ProtocolRequest.ReadBasic(context.Request);
        if (basic.Malformed)
        {
            return (form, basic, OAuthResults.Error(OAuthError.InvalidClient("The Authorization header is not valid HTTP Basic.", "malformed Basic header"), basicAttempted: true));
        }

        return (form, basic, null);
    }
}
