using Clavex.Core;
using Clavex.Core.Authorization;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Users;
using Clavex.Server.Audit;

namespace Clavex.Server.Http;

/// <summary>
/// The browser side of an authorization request, shared by /authorize, /login and /consent: find the session, let the
/// core decide, and show the login or consent page, or deliver the code or error to the client.
/// </summary>
public sealed class SignInFlow(
    OpenIdProvider provider,
    ISessionStore sessions,
    IConsentStore consents,
    IUserStore users,
    SessionCookie cookie,
    BrowserPages pages,
    AuditLog audit,
    TimeProvider timeProvider)
{
    public async Task<AuthenticationSession?> CurrentSessionAsync(HttpContext context, Organization organization)
    {
        string? secret = cookie.Read(context);
        if (secret is null)
        {
            return null;
        }

        AuthenticationSession? session = await sessions.FindBySecretAsync(
            organization.Id, OpaqueToken.Hash(secret), timeProvider.GetUtcNow(), context.RequestAborted);
        if (session is null)
        {
            return null;
        }

        // A disabled user's session no longer counts, even before the admin API ends it.
        User? user = await users.FindBySubjectAsync(organization.Id, session.Subject, context.RequestAborted);
        return user is { Enabled: true } ? session : null;
    }

    /// <summary>Decides what happens next for a validated request and does it.</summary>
    public async Task<IResult> ContinueAsync(
        HttpContext context, AuthorizationRequest request, ProtocolParameters original, AuthenticationSession? session, bool sessionIsFresh, bool consentIsFresh)
    {
        Organization organization = request.Organization;
        bool hasConsent = session is not null && (request.Client.RequireConsent || request.Prompt.HasFlag(Prompt.Consent))
            && await consents.HasConsentAsync(organization.Id, session.Subject, request.Client.ClientId, request.Scopes, context.RequestAborted);
        InteractionDecision decision = InteractionDecision.Decide(
            request, new InteractionState(session, sessionIsFresh, hasConsent, consentIsFresh), timeProvider.GetUtcNow());

        switch (decision.Kind)
        {
            case InteractionKind.Login:
                return pages.Login(context, request, original, error: null);
            case InteractionKind.Consent:
                return pages.Consent(context, request, original);
            case InteractionKind.Error:
                audit.Record(context, organization, "authorize.failed", false, request.Client.ClientId, session?.Subject,
                    ("error", decision.Error!.Error!.ErrorName), ("reason", decision.Error.Error.Description));
                return Deliver(context, decision.Error);
        }

        AuthorizationResponse response = await provider.CodeIssuer.IssueAsync(request, session!, context.RequestAborted);
        audit.Record(context, organization, "authorize.code_issued", true, request.Client.ClientId, session!.Subject,
            ("scope", ScopeList.Join(request.Scopes)), ("redirect_uri", request.RedirectUri));
        return Deliver(context, response);
    }

    /// <summary>Sends a code or an error back to the client: a 303 redirect, or the form_post page.</summary>
    public IResult Deliver(HttpContext context, AuthorizationResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.ResponseMode == ResponseModes.FormPost
            ? pages.FormPost(context, response.RedirectUri, response.Parameters)
            : new RedirectSeeOther(response.ToQueryRedirectUrl());
    }

    /// <summary>Handles a validation outcome that is not a valid request; null when it is valid.</summary>
    public IResult? Refuse(HttpContext context, Organization organization, AuthorizationValidation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.Rejection is AuthorizationRejection rejection)
        {
            audit.Record(context, organization, "authorize.rejected", false, rejection.ClientId, null,
                ("error", rejection.Error.ErrorName), ("reason", rejection.Error.Detail), ("redirect_uri", rejection.RedirectUri));
            return pages.Error(context, "This sign-in request cannot be completed", rejection.Message, StatusCodes.Status400BadRequest);
        }

        if (validation.Redirect is AuthorizationResponse redirect)
        {
            audit.Record(context, organization, "authorize.failed", false, null, null,
                ("error", redirect.Error!.ErrorName), ("reason", redirect.Error.Description), ("redirect_uri", redirect.RedirectUri));
            return Deliver(context, redirect);
        }

        return null;
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
