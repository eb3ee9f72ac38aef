using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Server.Http;

namespace Clavex.Server.Endpoints;

/// <summary>The authorization endpoint (OIDC Core §3.1.2.1): GET with a query, or POST with a form (§3.1.2.1 allows both).</summary>
public static class AuthorizeEndpoints
{
    public static RouteGroupBuilder MapAuthorize(this RouteGroupBuilder group)
    {
        group.MapGet("/authorize", (HttpContext context, SignInInteraction interaction, SessionCookie cookie, InteractionResults results) =>
            HandleAsync(context, interaction, cookie, results, ProtocolRequest.FromQuery(context.Request)));
        group.MapPost("/authorize", async (HttpContext context, SignInInteraction interaction, SessionCookie cookie, InteractionResults results, BrowserPages pages) =>
        {
            ProtocolParameters? form = await ProtocolRequest.FromFormAsync(context.Request, context.RequestAborted);
            return form is null
                ? pages.Error(context, t => t.SignInRefusedTitle, t => t.NotAForm, StatusCodes.Status400BadRequest)
                : await HandleAsync(context, interaction, cookie, results, form);
        });
        return group;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context, SignInInteraction interaction, SessionCookie cookie, InteractionResults results, ProtocolParameters parameters)
    {
        Organization organization = context.GetOrganization();
        InteractionResult result = await interaction.AuthorizeAsync(organization, parameters, cookie.Read(context), context.RequestAborted);
        return results.Write(context, organization, result, parameters);
    }
}
