using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Stores;
using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Storage;

namespace Clavex.Server.Http;

/// <summary>
/// Writes what the core decided for a browser interaction: its audit events, the session cookie it started or ended,
/// then the page to show or the redirect. No decision is taken here.
/// </summary>
public sealed class InteractionResults(
    BrowserPages pages, SessionCookie cookie, AuditLog audit, PgSessionStore sessions, IClientStore clients, TimeProvider timeProvider)
{
    /// <summary>
    /// Writes a sign-in step; <paramref name="original"/> is the request the login and consent forms carry on in hidden
    /// fields, <paramref name="username"/> what was typed into the login form (kept on the page after a refusal).
    /// </summary>
    public async Task<IResult> WriteAsync(HttpContext context, Organization organization, InteractionResult result, ProtocolParameters original, string? username = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.StartedSession is StartedSession started)
        {
            // The browser and address the account page lists for the session; a sign-in step, not the token hot path.
            AuditOrigin origin = AuditOrigin.Of(context);
            await sessions.RecordDeviceAsync(organization.Id, started.Session.Id, origin.UserAgent, origin.Ip, timeProvider.GetUtcNow(), context.RequestAborted);
        }

        return Write(context, organization, result, original, username);
    }

    /// <summary>Writes a sign-in step that started no session (an authorization request answered at once).</summary>
    public IResult Write(HttpContext context, Organization organization, InteractionResult result, ProtocolParameters original, string? username = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        Record(context, organization, result.Events);
        if (result.StartedSession is StartedSession started)
        {
            cookie.Write(context, organization, started.Secret, started.Session.ExpiresAt);
        }

        return result.Kind switch
        {
            InteractionResultKind.Reject => pages.Error(context, t => t.SignInRefusedTitle, _ => result.Rejection!.Message, StatusCodes.Status400BadRequest, organization),
            InteractionResultKind.Deliver => Deliver(context, result.Request, result.Response!),
            InteractionResultKind.ShowConsent => pages.Consent(context, result.Request!, original),
            InteractionResultKind.ShowSecondFactor => pages.SecondFactor(context, result, original),
            InteractionResultKind.ShowEnrolment => pages.Enrolment(context, result, original),
            InteractionResultKind.ShowRecoveryCodes => pages.RecoveryCodes(context, result.Request!, original, result.RecoveryCodes, result.RecoveryCodesLeft ?? 0),
            _ => pages.Login(context, result.Request!, original,
                result.CredentialsRejected ? t => t.IncorrectCredentials : result.PasskeyRejected ? t => t.IncorrectPasskeyAtLogin : null,
                result.CredentialsRejected ? username : null),
        };
    }

    public async Task<IResult> WriteAsync(HttpContext context, Organization organization, LogoutResult result, ProtocolParameters original)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        Record(context, organization, result.Events);
        if (result.SessionEnded)
        {
            cookie.Clear(context, organization);
        }

        if (result.Kind == LogoutResultKind.Refuse)
        {
            return pages.Error(context, t => t.SignOutRefusedTitle, result.Refusal == LogoutRefusal.InvalidRequest
                ? t => t.SignOutNotRegistered
                : t => t.SignOutInvalid, StatusCodes.Status400BadRequest, organization);
        }

        if (result.IsConfirm)
        {
            return pages.LogoutConfirm(context, organization, original, result.Request.PostLogoutRedirectUri);
        }

        if (result.ReturnLocation is null)
        {
            // No post_logout_redirect_uri: a link back to the application, when the client the request names has a home page.
            Client? client = result.Request?.ClientId is { } clientId ? await clients.FindAsync(organization.Id, clientId, context.RequestAborted) : null;
            return pages.LoggedOut(context, organization, original,
                client is { Enabled: true, ClientUri: { } home } ? (client.ClientName ?? client.ClientId, home) : null);
        }

        context.Response.Headers.CacheControl = "no-store";
        return Results.Redirect(result.ReturnLocation);
    }

    /// <summary>Sends a code or an error back to the client: a 303 redirect, or the form_post page.</summary>
    private IResult Deliver(HttpContext context, AuthorizationRequest? request, AuthorizationResponse response) =>
        response.ResponseMode == ResponseModes.FormPost
            ? pages.FormPost(context, request, response.RedirectUri, response.Parameters)
            : new RedirectSeeOther(response.ToQueryRedirectUrl());

    private void Record(HttpContext context, Organization organization, IReadOnlyList<InteractionEvent> events)
    {
        foreach (InteractionEvent e in events)
        {
            audit.Record(context, organization, e.Type, e.Success, e.ClientId, e.Subject, e.Detail);
        }
    }

    /// <summary>303, so a POSTed form is followed by a GET at the client (RFC 9110 §15.4.4).</summary>
    private sealed class RedirectSeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            httpContext.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }
    }
}
