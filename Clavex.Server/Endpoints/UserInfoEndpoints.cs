using Clavex.Core;
using Clavex.Core.Protocol;
using Clavex.Core.UserInfo;
using Clavex.Server.Audit;
using Clavex.Server.Http;

namespace Clavex.Server.Endpoints;

/// <summary>Userinfo (OIDC Core §5.3): GET or POST, the token in the Bearer header or, on POST, the form body (RFC 6750 §2.2).</summary>
public static class UserInfoEndpoints
{
    public static RouteGroupBuilder MapUserInfo(this RouteGroupBuilder group)
    {
        group.MapGet("/userinfo", (HttpContext context, OpenIdProvider provider, AuditLog audit) =>
            HandleAsync(context, provider, audit, ProtocolRequest.ReadBearer(context.Request), twice: false))
            .RequireRateLimiting(RequestRateLimits.UserInfo);
        group.MapPost("/userinfo", async (HttpContext context, OpenIdProvider provider, AuditLog audit) =>
        {
            string? header = ProtocolRequest.ReadBearer(context.Request);
            string? body = null;
            if (ProtocolRequest.IsForm(context.Request))
            {
                ProtocolParameters? form = await ProtocolRequest.FromFormAsync(context.Request, context.RequestAborted);
                if (form is null || !form.TryGetSingle(ParameterNames.AccessToken, out body))
                {
                    return OAuthResults.BearerError(OAuthError.InvalidRequest("access_token was given more than once."), StatusCodes.Status400BadRequest);
                }
            }

            return await HandleAsync(context, provider, audit, header ?? body, twice: header is not null && body is not null);
        }).RequireRateLimiting(RequestRateLimits.UserInfo);
        return group;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, OpenIdProvider provider, AuditLog audit, string? token, bool twice)
    {
        Organization organization = context.GetOrganization();
        if (twice)
        {
            // RFC 6750 §2: a client must not use more than one method to transmit the token.
            return OAuthResults.BearerError(OAuthError.InvalidRequest("The access token was sent in more than one way."), StatusCodes.Status400BadRequest);
        }

        UserInfoResult result = await provider.UserInfo.HandleAsync(organization, token, context.RequestAborted);
        if (result.Json is byte[] json)
        {
            return OAuthResults.Json(json);
        }

        if (result.Error is not null)
        {
            audit.Record(context, organization, "userinfo.failed", false, result.ClientId, result.Subject,
                ("error", result.Error.ErrorName), ("reason", result.Error.Detail ?? result.Error.Description));
        }

        return OAuthResults.BearerError(result.Error, result.StatusCode);
    }
}
