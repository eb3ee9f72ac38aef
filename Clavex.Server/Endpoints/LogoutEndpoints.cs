using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Server.Http;
using Clavex.Server.Login;

namespace Clavex.Server.Endpoints;

/// <summary>
/// OpenID Connect RP-Initiated Logout 1.0 (<see cref="RpInitiatedLogout"/>): GET or POST from the relying party, and
/// the confirmation form posting back with its antiforgery token.
/// </summary>
public static class LogoutEndpoints
{
    public static RouteGroupBuilder MapLogout(this RouteGroupBuilder group)
    {
        group.MapGet("/logout", StartAsync);
        group.MapPost("/logout", PostAsync);
        return group;
    }

    private static async Task<IResult> StartAsync(HttpContext context, RpInitiatedLogout logout, SessionCookie cookie, InteractionResults results)
    {
        Organization organization = context.GetOrganization();
        ProtocolParameters parameters = ProtocolRequest.FromQuery(context.Request);
        LogoutResult result = await logout.StartAsync(organization, parameters, cookie.Read(context), context.RequestAborted);
        return await results.WriteAsync(context, organization, result, parameters);
    }

    private static async Task<IResult> PostAsync(
        HttpContext context, RpInitiatedLogout logout, BrowserPages pages, SessionCookie cookie, InteractionResults results)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages, requireAntiforgery: false);
        if (refusal is not null)
        {
            return refusal;
        }

        Organization organization = context.GetOrganization();
        string? decision = form!.Get(BrowserForm.DecisionField);
        LogoutResult result;
        if (decision is null)
        {
            // A relying party may POST the logout request itself (RP-Initiated Logout §2).
            result = await logout.StartAsync(organization, form.Request, cookie.Read(context), context.RequestAborted);
        }
        else if (!form.AntiforgeryValid)
        {
            return pages.Error(context, t => t.SignOutRefusedTitle, t => t.SignOutFormExpired, StatusCodes.Status400BadRequest, organization);
        }
        else
        {
            result = await logout.ConfirmAsync(organization, form.Request, decision == FormFieldNames.SignOut, cookie.Read(context), context.RequestAborted);
        }

        return await results.WriteAsync(context, organization, result, form.Request);
    }
}
