using Clavex.Core.Authorization;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;

namespace Clavex.Core.Interaction;

/// <summary>
/// The browser half of an authorization request (OIDC Core §3.1.2): /authorize, the login form and the consent form.
/// Each entry validates the request again (the forms carry it in hidden fields, so nothing is kept on the server
/// between steps), applies what the user just did, and asks the <see cref="InteractionPolicy"/> what comes next.
/// </summary>
public sealed class SignInInteraction(
    AuthorizationRequestValidator validator,
    AuthorizationCodeIssuer codeIssuer,
    BrowserSessions sessions,
    IConsentStore consents,
    PasswordSignIn passwordSignIn,
    TimeProvider timeProvider,
    InteractionPolicy? policy = null)
{
    private readonly InteractionPolicy _policy = policy ?? InteractionPolicy.Default;

    /// <summary>An authorization request arriving at /authorize, with the browser's session secret if it has one.</summary>
    public async Task<InteractionResult> AuthorizeAsync(
        Organization organization, ProtocolParameters parameters, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, InteractionResult? refusal) = await ValidateAsync(organization, parameters, cancellationToken);
        if (request is null)
        {
            return refusal!;
        }

        AuthenticationSession? session = await sessions.FindCurrentAsync(organization, sessionSecret, cancellationToken);
        return await ContinueAsync(request, new Progress(session), cancellationToken);
    }

    /// <summary>The login form posted: check the password, start a new session, and go on.</summary>
    public async Task<InteractionResult> SubmitPasswordAsync(
        Organization organization, ProtocolParameters parameters, string? username, string? password, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, InteractionResult? refusal) = await ValidateAsync(organization, parameters, cancellationToken);
        if (request is null)
        {
            return refusal!;
        }

        PasswordSignInResult signIn = await passwordSignIn.AttemptAsync(organization, request.Client.ClientId, username, password, cancellationToken);
        if (!signIn.Succeeded)
        {
            return InteractionResult.ShowLogin(request, signIn.Events, credentialsRejected: true);
        }

        StartedSession started = await sessions.StartAsync(organization, signIn.User.Subject, [PasswordSignIn.PasswordMethod], sessionSecret, cancellationToken);
        var events = new List<InteractionEvent>(signIn.Events)
        {
            new("login.succeeded", true, request.Client.ClientId, signIn.User.Subject, ("amr", PasswordSignIn.PasswordMethod)),
        };
        return await ContinueAsync(request, new Progress(started.Session, events) { SessionIsFresh = true, Started = started }, cancellationToken);
    }

    /// <summary>The consent form posted: record the user's decision, and go on (or send access_denied back).</summary>
    public async Task<InteractionResult> SubmitConsentAsync(
        Organization organization, ProtocolParameters parameters, bool allowed, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, InteractionResult? refusal) = await ValidateAsync(organization, parameters, cancellationToken);
        if (request is null)
        {
            return refusal!;
        }

        AuthenticationSession? session = await sessions.FindCurrentAsync(organization, sessionSecret, cancellationToken);
        if (session is null)
        {
            return InteractionResult.ShowLogin(request, []);
        }

        if (!allowed)
        {
            // OIDC Core §3.1.2.6: the end-user denied the request.
            return InteractionResult.Deliver(
                AuthorizationResponse.Failure(
                    request.RedirectUri, request.ResponseMode, new OAuthError(OAuthErrorCode.AccessDenied, "The user denied the request."), request.State, organization.Issuer),
                [new InteractionEvent("consent.denied", false, request.Client.ClientId, session.Subject)]);
        }

        await consents.GrantAsync(organization.Id, session.Subject, request.Client.ClientId, request.Scopes, timeProvider.GetUtcNow(), cancellationToken);
        var events = new List<InteractionEvent>
        {
            new("consent.given", true, request.Client.ClientId, session.Subject, ("scope", ScopeList.Join(request.Scopes))),
        };
        return await ContinueAsync(request, new Progress(session, events) { ConsentIsFresh = true }, cancellationToken);
    }

    /// <summary>Asks the policy what the validated request needs next, and issues the code when nothing does.</summary>
    private async Task<InteractionResult> ContinueAsync(AuthorizationRequest request, Progress progress, CancellationToken cancellationToken)
    {
        Organization organization = request.Organization;
        AuthenticationSession? session = progress.Session;
        bool hasConsent = session is not null && ConsentStep.ReadsStoredConsent(request)
            && await consents.HasConsentAsync(organization.Id, session.Subject, request.Client.ClientId, request.Scopes, cancellationToken);
        InteractionDecision decision = InteractionDecision.Decide(
            _policy, request, new InteractionState(session, progress.SessionIsFresh, hasConsent, progress.ConsentIsFresh), timeProvider.GetUtcNow());

        List<InteractionEvent> events = progress.Events;
        switch (decision.Kind)
        {
            case InteractionKind.Login:
                return InteractionResult.ShowLogin(request, events, started: progress.Started);
            case InteractionKind.Consent:
                return InteractionResult.ShowConsent(request, events, progress.Started);
            case InteractionKind.Error:
                events.Add(new InteractionEvent("authorize.failed", false, request.Client.ClientId, session?.Subject,
                    ("error", decision.Error!.Error!.ErrorName), ("reason", decision.Error.Error.Description)));
                return InteractionResult.Deliver(decision.Error, events, progress.Started);
        }

        AuthorizationResponse response = await codeIssuer.IssueAsync(request, session!, cancellationToken);
        events.Add(new InteractionEvent("authorize.code_issued", true, request.Client.ClientId, session!.Subject,
            ("scope", ScopeList.Join(request.Scopes)), ("redirect_uri", request.RedirectUri)));
        return InteractionResult.Deliver(response, events, progress.Started);
    }

    /// <summary>
    /// Validates the request every entry carries (the forms in hidden fields): the valid request, or the result that
    /// ends the interaction (an error page, or an error redirected to the client).
    /// </summary>
    private async Task<(AuthorizationRequest? Request, InteractionResult? Refusal)> ValidateAsync(
        Organization organization, ProtocolParameters parameters, CancellationToken cancellationToken)
    {
        AuthorizationValidation validation = await validator.ValidateAsync(organization, parameters, cancellationToken);
        return validation.Request is AuthorizationRequest request ? (request, null) : (null, Refusal(validation));
    }

    private static InteractionResult Refusal(AuthorizationValidation validation)
    {
        if (validation.Rejection is AuthorizationRejection rejection)
        {
            return InteractionResult.Reject(rejection, [new InteractionEvent("authorize.rejected", false, rejection.ClientId, null,
                ("error", rejection.Error.ErrorName), ("reason", rejection.Error.Detail), ("redirect_uri", rejection.RedirectUri))]);
        }

        AuthorizationResponse redirect = validation.Redirect!;
        return InteractionResult.Deliver(redirect, [new InteractionEvent("authorize.failed", false, null, null,
            ("error", redirect.Error!.ErrorName), ("reason", redirect.Error.Description), ("redirect_uri", redirect.RedirectUri))]);
    }

    /// <summary>Where the interaction stands after what the user just did.</summary>
    private sealed record Progress(AuthenticationSession? Session, List<InteractionEvent> Events)
    {
        public Progress(AuthenticationSession? session)
            : this(session, new List<InteractionEvent>(1))
        {
        }

        public bool SessionIsFresh { get; init; }

        public bool ConsentIsFresh { get; init; }

        public StartedSession? Started { get; init; }
    }
}
