using Clavex.Core;
using Clavex.Core.Authorization;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Server.Http;

namespace Clavex.Server.Endpoints;

/// <summary>The authorization endpoint (OIDC Core §3.1.2.1): GET with a query, or POST with a form (§3.1.2.1 allows both).</summary>
public static class AuthorizeEndpoints
{
    public static RouteGroupBuilder MapAuthorize(this RouteGroupBuilder group)
    {
        group.MapGet("/authorize", (HttpContext context, OpenIdProvider provider, SignInFlow flow) =>
            HandleAsync(context, provider, flow, ProtocolRequest.FromQuery(context.Request)));
        group.MapPost("/authorize", async (HttpContext context, OpenIdProvider provider, SignInFlow flow, BrowserPages pages) =>
        {
            ProtocolParameters? form = await ProtocolRequest.FromFormAsync(context.Request, context.RequestAborted);
            return form is null
                ? pages.Error(context, "This sign-in request cannot be completed", "The request body must be a form (application/x-www-form-urlencoded).", StatusCodes.Status400BadRequest)
                : await HandleAsync(context, provider, flow, form);
        });
        return group;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, OpenIdProvider provider, SignInFlow flow, ProtocolParameters parameters)
    {
        Organization organization = context.GetOrganization();
        AuthorizationValidation validation = await provider.Authorization.ValidateAsync(organization, parameters, context.RequestAborted);
        if (flow.Refuse(context, organization, validation) is IResult refusal)
        {
            return refusal;
        }

        AuthenticationSession? session = await flow.CurrentSessionAsync(context, organization);
        return await flow.ContinueAsync(context, validation.Request!, parameters, session, sessionIsFresh: false, consentIsFresh: false);
    }
}
