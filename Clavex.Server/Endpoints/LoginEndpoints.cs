using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Endpoints;

/// <summary>
/// The login, second-factor, enrolment and consent forms, and their passkey forms. Each carries the original authorization request in hidden
/// fields, so the request is validated again on POST and nothing about it is kept on the server between the steps.
/// Every handler is the same three lines: read the form (antiforgery checked), hand it to one entry of
/// <see cref="SignInInteraction"/>, write the result.
/// </summary>
public static class LoginEndpoints
{
    public static RouteGroupBuilder MapLogin(this RouteGroupBuilder group)
    {
        group.MapPost("/login", PasswordAsync);
        group.MapPost("/mfa", (HttpContext context, SignInInteraction interaction, [AsParameters] Services s) => SubmitAsync(context, s, (organization, form, session) =>
            interaction.SubmitSecondFactorAsync(organization, form.Request, form.Get(BrowserForm.CodeField), session, context.RequestAborted)));
        group.MapPost("/mfa/enrol", (HttpContext context, SignInInteraction interaction, [AsParameters] Services s) => SubmitAsync(context, s, (organization, form, session) =>
            interaction.SubmitEnrolmentAsync(organization, form.Request, form.Get(BrowserForm.CodeField), session, context.RequestAborted)));
        group.MapPost("/login/passkey", (HttpContext context, SignInInteraction interaction, [AsParameters] Services s) => SubmitAsync(context, s, (organization, form, session) =>
            interaction.SubmitPasswordlessAsync(
                organization, form.Request, form.Get(FormFieldNames.WebAuthnChallenge), form.Get(FormFieldNames.WebAuthnResponse), session, context.RequestAborted)));
        group.MapPost("/mfa/passkey", (HttpContext context, SignInInteraction interaction, [AsParameters] Services s) => SubmitAsync(context, s, (organization, form, session) =>
            interaction.SubmitPasskeyAsync(
                organization, form.Request, form.Get(FormFieldNames.WebAuthnChallenge), form.Get(FormFieldNames.WebAuthnResponse), session, context.RequestAborted)));
        group.MapPost("/mfa/enrol/passkey", (HttpContext context, SignInInteraction interaction, [AsParameters] Services s) => SubmitAsync(context, s, (organization, form, session) =>
            interaction.SubmitPasskeyEnrolmentAsync(
                organization, form.Request, form.Get(FormFieldNames.WebAuthnChallenge), form.Get(FormFieldNames.WebAuthnResponse),
                form.Get(FormFieldNames.PasskeyName), session, context.RequestAborted)));
        group.MapPost("/mfa/continue", (HttpContext context, SignInInteraction interaction, [AsParameters] Services s) => SubmitAsync(context, s, (organization, form, session) =>
            interaction.ContinueAfterSecondFactorAsync(organization, form.Request, session, context.RequestAborted)));
        group.MapPost("/consent", (HttpContext context, SignInInteraction interaction, [AsParameters] Services s) => SubmitAsync(context, s, (organization, form, session) =>
            interaction.SubmitConsentAsync(
                organization, form.Request, form.Get(BrowserForm.DecisionField) == FormFieldNames.Allow, session, context.RequestAborted)));
        return group;
    }

    /// <summary>
    /// The passkey script (<see cref="PasskeyScript.Path"/>), outside any organisation: cached for an hour and
    /// revalidated by ETag; nosniff, so it runs only as the script it says it is.
    /// </summary>
    public static IEndpointRouteBuilder MapAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet(PasskeyScript.Path, (HttpContext context) =>
        {
            context.Response.Headers.ETag = PasskeyScript.ETag;
            context.Response.Headers.CacheControl = "public, max-age=3600";
            context.Response.Headers[SecurityHeaders.XContentTypeOptions] = "nosniff";
            return context.Request.Headers.IfNoneMatch == PasskeyScript.ETag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(PasskeyScript.Content, "text/javascript; charset=utf-8");
        });
        return app;
    }

    /// <summary>
    /// The password form, behind the <see cref="LoginThrottle"/>: a throttled address is refused (429) before any
    /// hashing, and a wrong password counts towards its budgets; the one that uses a budget up is audited.
    /// </summary>
    private static async Task<IResult> PasswordAsync(
        HttpContext context, SignInInteraction interaction, LoginThrottle throttle, AuditLog audit, [AsParameters] Services services)
    {
        Organization organization = context.GetOrganization();
        string address = ClientAddress.Key(context.Connection.RemoteIpAddress);
        RequestLimits limits = services.Organizations.Limits(organization.Slug);
        if (throttle.IsAddressThrottled(organization.Slug, limits, address))
        {
            return Throttled(context, services, organization);
        }

        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, services.Pages);
        if (refusal is not null)
        {
            return refusal;
        }

        string? username = form!.Get(BrowserForm.UsernameField);
        if (throttle.IsThrottled(organization.Slug, limits, address, username))
        {
            return Throttled(context, services, organization);
        }

        InteractionResult result = await interaction.SubmitPasswordAsync(
            organization, form.Request, username, form.Get(BrowserForm.PasswordField), services.Cookie.Read(context), context.RequestAborted);
        if (result.CredentialsRejected && throttle.CountFailure(organization.Slug, limits, address, username) is string budget)
        {
            form.Request.TryGetSingle(ParameterNames.ClientId, out string? clientId);
            audit.Record(context, organization, "login.throttled", false, clientId, null,
                ("reason", budget), ("username", username is { Length: > 64 } ? username[..64] + "…" : username),
                ("retry_after_seconds", LoginThrottle.RetryAfterSeconds));
        }

        return await services.Results.WriteAsync(context, organization, result, form.Request, username);
    }

    private static IResult Throttled(HttpContext context, Services services, Organization organization)
    {
        context.Response.Headers.RetryAfter = LoginThrottle.RetryAfterSeconds;
        return services.Pages.Error(context, t => t.ThrottledTitle,
            t => PageTexts.Format(t.Throttled, (int)LockoutPolicy.FailureWindow.TotalMinutes), StatusCodes.Status429TooManyRequests, organization);
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext context, Services services, Func<Organization, BrowserForm, string?, Task<InteractionResult>> submit)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, services.Pages);
        if (refusal is not null)
        {
            return refusal;
        }

        Organization organization = context.GetOrganization();
        InteractionResult result = await submit(organization, form!, services.Cookie.Read(context));
        return await services.Results.WriteAsync(context, organization, result, form!.Request);
    }

    /// <summary>What every form handler uses besides the interaction, bound with <c>[AsParameters]</c>.</summary>
    private sealed record Services(BrowserPages Pages, SessionCookie Cookie, InteractionResults Results, OrganizationDirectory Organizations);
}
