using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Server.Http;
using Clavex.Server.Login;

namespace Clavex.Server.Endpoints;

/// <summary>
/// The login, second-factor, enrolment and consent forms. Each carries the original authorization request in hidden fields, so the request is
/// validated again on POST and nothing about it is kept on the server between the two steps.
/// </summary>
public static class LoginEndpoints
{
    public static RouteGroupBuilder MapLogin(this RouteGroupBuilder group)
    {
        group.MapPost("/login", LoginAsync);
        group.MapPost("/mfa", SecondFactorAsync);
        group.MapPost("/mfa/enrol", EnrolmentAsync);
        group.MapPost("/consent", ConsentAsync);
        return group;
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, SignInInteraction interaction, BrowserPages pages, SessionCookie cookie, InteractionResults results)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages);
        if (refusal is not null)
        {
            return refusal;
        }

        Organization organization = context.GetOrganization();
        InteractionResult result = await interaction.SubmitPasswordAsync(
            organization, form!.Request, form.Get(BrowserForm.UsernameField), form.Get(BrowserForm.PasswordField), cookie.Read(context), context.RequestAborted);
        return results.Write(context, organization, result, form.Request);
    }

    private static async Task<IResult> SecondFactorAsync(
        HttpContext context, SignInInteraction interaction, BrowserPages pages, SessionCookie cookie, InteractionResults results)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages);
        if (refusal is not null)
        {
            return refusal;
        }

        Organization organization = context.GetOrganization();
        InteractionResult result = await interaction.SubmitSecondFactorAsync(
            organization, form!.Request, form.Get(BrowserForm.CodeField), cookie.Read(context), context.RequestAborted);
        return results.Write(context, organization, result, form.Request);
    }

    private static async Task<IResult> EnrolmentAsync(
        HttpContext context, SignInInteraction interaction, BrowserPages pages, SessionCookie cookie, InteractionResults results)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages);
        if (refusal is not null)
        {
            return refusal;
        }

        Organization organization = context.GetOrganization();
        InteractionResult result = await interaction.SubmitEnrolmentAsync(
            organization, form!.Request, form.Get(BrowserForm.CodeField), cookie.Read(context), context.RequestAborted);
        return results.Write(context, organization, result, form.Request);
    }

    private static async Task<IResult> ConsentAsync(
        HttpContext context, SignInInteraction interaction, BrowserPages pages, SessionCookie cookie, InteractionResults results)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages);
        if (refusal is not null)
        {
            return refusal;
        }

        Organization organization = context.GetOrganization();
        InteractionResult result = await interaction.SubmitConsentAsync(
            organization, form!.Request, form.Get(BrowserForm.DecisionField) == FormFieldNames.Allow, cookie.Read(context), context.RequestAborted);
        return results.Write(context, organization, result, form.Request);
    }
}
