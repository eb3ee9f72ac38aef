using Clavex.Core.Authorization;
using Clavex.Core.Factors;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;

namespace Clavex.Core.Interaction;

/// <summary>
/// The browser half of an authorization request (OIDC Core §3.1.2): /authorize, the login form, the second-factor and
/// enrolment forms, and the consent form.
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
    InteractionPolicy? policy = null,
    SecondFactorSignIn? secondFactors = null,
    PasskeySignIn? passkeys = null)
{
    private static readonly OAuthError s_unmetAcr = new(
        OAuthErrorCode.UnmetAuthenticationRequirements, "None of the requested acr_values can be satisfied by this server.");

    private static readonly OAuthError s_noSecondFactor = new(
        OAuthErrorCode.UnmetAuthenticationRequirements, "A second factor is required, and this account has none it may use or enrol.");

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

        // A user with a factor, or one the organisation demands a factor of, gets a session that waits for it.
        SecondFactorAccount? account = secondFactors is null ? null : await secondFactors.FindAsync(organization, signIn.User.Subject, cancellationToken);
        bool pending = account is not null && (account.HasFactor(organization.SignInPolicy.AllowedFactors) || organization.SignInPolicy.RequiresMfa(account.Groups));
        StartedSession started = await sessions.StartAsync(organization, signIn.User.Subject, AuthenticationMethods.PasswordOnly, sessionSecret, cancellationToken,
            acr: pending ? null : AuthenticationMethods.PasswordLevel, secondFactorPending: pending);
        var events = new List<InteractionEvent>(signIn.Events)
        {
            new("login.succeeded", true, request.Client.ClientId, signIn.User.Subject, ("amr", PasswordSignIn.PasswordMethod)),
        };
        return await ContinueAsync(request, new Progress(started.Session, events) { SessionIsFresh = true, Started = started }, cancellationToken);
    }

    /// <summary>The second-factor form posted: check the code, replace the session with one that has the factor, and go on.</summary>
    public async Task<InteractionResult> SubmitSecondFactorAsync(
        Organization organization, ProtocolParameters parameters, string? code, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, AuthenticationSession? session, InteractionResult? refusal) =
            await ValidateSignedInAsync(organization, parameters, sessionSecret, cancellationToken);
        if (request is null || session is null || secondFactors is null)
        {
            return refusal ?? InteractionResult.ShowLogin(request!, []);
        }

        SecondFactorResult result = await secondFactors.VerifyAsync(organization, request.Client.ClientId, session.Subject, code, cancellationToken);
        var events = new List<InteractionEvent>(result.Events);
        switch (result.Outcome)
        {
            case SecondFactorOutcome.Accepted:
                StartedSession started = await StartWithSecondFactorAsync(organization, session, sessionSecret, cancellationToken);
                return result.RecoveryCodesLeft is int left
                    ? InteractionResult.ShowRecoveryCodes(request, null, left, events, started)
                    : await ContinueAsync(request, new Progress(started.Session, events) { SessionIsFresh = true, Started = started }, cancellationToken);
            case SecondFactorOutcome.Rejected when !result.Locked:
                return await SecondFactorPageAsync(request, session, events, null, cancellationToken, codeRejected: true);
            default:
                return await EndOrContinueAsync(request, session, result.Locked, events, cancellationToken);
        }
    }

    /// <summary>The second-factor page's passkey posted: verify it, replace the session with one that has the factor, and go on.</summary>
    public async Task<InteractionResult> SubmitPasskeyAsync(
        Organization organization, ProtocolParameters parameters, string? challenge, string? response, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, AuthenticationSession? session, InteractionResult? refusal) =
            await ValidateSignedInAsync(organization, parameters, sessionSecret, cancellationToken);
        if (request is null || session is null || passkeys is null)
        {
            return refusal ?? InteractionResult.ShowLogin(request!, []);
        }

        SecondFactorResult result = await passkeys.VerifySecondFactorAsync(organization, request.Client.ClientId, session.Subject, challenge, response, cancellationToken);
        var events = new List<InteractionEvent>(result.Events);
        if (result.Accepted)
        {
            events.Add(new InteractionEvent("mfa.succeeded", true, request.Client.ClientId, session.Subject, ("method", FactorNames.Passkey)));
            StartedSession started = await sessions.StartAsync(organization, session.Subject, AuthenticationMethods.PasswordAndPasskey(result.Method!), sessionSecret,
                cancellationToken, acr: AuthenticationMethods.MfaLevel);
            return await ContinueAsync(request, new Progress(started.Session, events) { SessionIsFresh = true, Started = started }, cancellationToken);
        }

        return result.Locked
            ? await EndOrContinueAsync(request, session, true, events, cancellationToken)
            : await SecondFactorPageAsync(request, session, events, null, cancellationToken, passkeyRejected: true);
    }

    /// <summary>
    /// The enrolment page's passkey posted: register it, replace the session with one that has the factor, and show the
    /// recovery codes when it is the user's first factor.
    /// </summary>
    public async Task<InteractionResult> SubmitPasskeyEnrolmentAsync(
        Organization organization, ProtocolParameters parameters, string? challenge, string? response, string? name, string? sessionSecret,
        CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, AuthenticationSession? session, InteractionResult? refusal) =
            await ValidateSignedInAsync(organization, parameters, sessionSecret, cancellationToken);
        if (request is null || session is null || passkeys is null)
        {
            return refusal ?? InteractionResult.ShowLogin(request!, []);
        }

        // Only a session that still waits for its second factor enrols at sign-in; anything else is the account page's.
        if (!session.SecondFactorPending)
        {
            return await ContinueAsync(request, new Progress(session), cancellationToken);
        }

        SecondFactorResult result = await passkeys.RegisterAsync(organization, request.Client.ClientId, session.Subject, challenge, response, name, cancellationToken);
        var events = new List<InteractionEvent>(result.Events);
        if (result.Accepted)
        {
            StartedSession started = await sessions.StartAsync(organization, session.Subject, AuthenticationMethods.PasswordAndPasskey(result.Method!), sessionSecret,
                cancellationToken, acr: AuthenticationMethods.MfaLevel);
            return result.NewRecoveryCodes is { } codes
                ? InteractionResult.ShowRecoveryCodes(request, codes, codes.Count, events, started)
                : await ContinueAsync(request, new Progress(started.Session, events) { SessionIsFresh = true, Started = started }, cancellationToken);
        }

        if (result.Locked)
        {
            return await EndOrContinueAsync(request, session, true, events, cancellationToken);
        }

        return await SecondFactorPageAsync(request, session, events, null, cancellationToken, passkeyRejected: true);
    }

    /// <summary>The login page's passkey button: sign in with a passkey alone (user verification required), and go on.</summary>
    public async Task<InteractionResult> SubmitPasswordlessAsync(
        Organization organization, ProtocolParameters parameters, string? challenge, string? response, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, InteractionResult? refusal) = await ValidateAsync(organization, parameters, cancellationToken);
        if (request is null)
        {
            return refusal!;
        }

        if (passkeys is null)
        {
            return InteractionResult.ShowLogin(request, [], passkeyRejected: true);
        }

        SecondFactorResult result = await passkeys.VerifyPasswordlessAsync(organization, request.Client.ClientId, challenge, response, cancellationToken);
        var events = new List<InteractionEvent>(result.Events);
        if (!result.Accepted)
        {
            return InteractionResult.ShowLogin(request, events, passkeyRejected: true);
        }

        IReadOnlyList<string> amr = AuthenticationMethods.Passwordless(result.Method!);
        StartedSession started = await sessions.StartAsync(organization, result.Subject!, amr, sessionSecret, cancellationToken, acr: AuthenticationMethods.MfaLevel);
        events.Add(new InteractionEvent("login.succeeded", true, request.Client.ClientId, result.Subject, ("amr", string.Join(' ', amr))));
        return await ContinueAsync(request, new Progress(started.Session, events) { SessionIsFresh = true, Started = started }, cancellationToken);
    }

    /// <summary>The enrolment form posted: confirm the new authenticator with its first code, and show the recovery codes.</summary>
    public async Task<InteractionResult> SubmitEnrolmentAsync(
        Organization organization, ProtocolParameters parameters, string? code, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, AuthenticationSession? session, InteractionResult? refusal) =
            await ValidateSignedInAsync(organization, parameters, sessionSecret, cancellationToken);
        if (request is null || session is null || secondFactors is null)
        {
            return refusal ?? InteractionResult.ShowLogin(request!, []);
        }

        SecondFactorResult result = await secondFactors.ConfirmEnrolmentAsync(organization, request.Client.ClientId, session.Subject, code, cancellationToken);
        var events = new List<InteractionEvent>(result.Events);
        if (result.Accepted)
        {
            StartedSession started = await StartWithSecondFactorAsync(organization, session, sessionSecret, cancellationToken);
            return InteractionResult.ShowRecoveryCodes(request, result.NewRecoveryCodes, result.RecoveryCodesLeft ?? 0, events, started);
        }

        if (result.Outcome == SecondFactorOutcome.Rejected && !result.Locked)
        {
            return await SecondFactorPageAsync(request, session, events, null, cancellationToken, codeRejected: true);
        }

        return await EndOrContinueAsync(request, session, result.Locked, events, cancellationToken);
    }

    /// <summary>
    /// How long after a sign-in the Continue of the recovery-codes page still counts as part of it: prompt=login and
    /// max_age are not asked again of a user who authenticated a moment ago on this very request.
    /// </summary>
    public static readonly TimeSpan ContinueWindow = TimeSpan.FromMinutes(10);

    /// <summary>Continue pressed on the recovery-codes page: go on with the session the second factor just started.</summary>
    public async Task<InteractionResult> ContinueAfterSecondFactorAsync(
        Organization organization, ProtocolParameters parameters, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, InteractionResult? refusal) = await ValidateAsync(organization, parameters, cancellationToken);
        if (request is null)
        {
            return refusal!;
        }

        AuthenticationSession? session = await sessions.FindCurrentAsync(organization, sessionSecret, cancellationToken);
        bool fresh = session is not null && AuthenticationMethods.HasMultipleFactors(session.Amr)
            && timeProvider.GetUtcNow() - session.AuthTime <= ContinueWindow;
        return await ContinueAsync(request, new Progress(session) { SessionIsFresh = fresh }, cancellationToken);
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

        if (session.SecondFactorPending)
        {
            // OIDC Core §3.1.2.4: consent comes from the authenticated end-user. A session that has given only the
            // password has not authenticated anyone yet, so nothing is recorded in its user's name (issue 16); the
            // interaction goes on to the second factor.
            return await ContinueAsync(request, new Progress(session), cancellationToken);
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
        List<InteractionEvent> events = progress.Events;
        AcrDemand acr = AcrRequest.Evaluate(request);
        if (acr == AcrDemand.Unsatisfiable)
        {
            // OIDC Core §3.1.2.1 makes acr a voluntary claim; Clavex refuses instead of issuing a weaker token than asked.
            return Fail(request, session, s_unmetAcr, events, progress.Started);
        }

        bool secondFactorRequired = session is not null
            && (session.SecondFactorPending || organization.SignInPolicy.Mfa == MfaPolicy.Required || request.Client.RequireMfa || acr == AcrDemand.SecondFactor);
        InteractionDecision decision = InteractionDecision.Decide(
            _policy, request, new InteractionState(session, progress.SessionIsFresh, hasConsent, progress.ConsentIsFresh, secondFactorRequired), timeProvider.GetUtcNow());

        switch (decision.Kind)
        {
            case InteractionKind.Login:
                return InteractionResult.ShowLogin(request, events, started: progress.Started);
            case InteractionKind.SecondFactor:
                if (!session!.SecondFactorPending)
                {
                    // A signed-in session asked for more than it has: a step-up, audited with what asked for it.
                    string cause = request.Client.RequireMfa ? "client_require_mfa"
                        : acr == AcrDemand.SecondFactor ? "acr_values"
                        : "organization_policy";
                    events.Add(new InteractionEvent("mfa.step_up_required", true, request.Client.ClientId, session.Subject, ("cause", cause)));
                }

                return await SecondFactorPageAsync(request, session, events, progress.Started, cancellationToken);
            case InteractionKind.Consent:
                return InteractionResult.ShowConsent(request, events, progress.Started);
            case InteractionKind.Error:
                return Fail(request, session, decision.Error!.Error!, events, progress.Started);
        }

        AuthorizationResponse response = await codeIssuer.IssueAsync(request, session!, cancellationToken);
        events.Add(new InteractionEvent("authorize.code_issued", true, request.Client.ClientId, session!.Subject,
            ("scope", ScopeList.Join(request.Scopes)), ("redirect_uri", request.RedirectUri)));
        return InteractionResult.Deliver(response, events, progress.Started);
    }

    /// <summary>
    /// The second factor the user must give now: the code of their app, the enrolment of one (while the organisation's
    /// grace period allows it), or, when neither is possible, <c>unmet_authentication_requirements</c>.
    /// </summary>
    private async Task<InteractionResult> SecondFactorPageAsync(
        AuthorizationRequest request, AuthenticationSession session, List<InteractionEvent> events, StartedSession? started, CancellationToken cancellationToken,
        bool codeRejected = false, bool passkeyRejected = false)
    {
        Organization organization = request.Organization;
        SecondFactorAccount? account = secondFactors is null ? null : await secondFactors.FindAsync(organization, session.Subject, cancellationToken);
        if (account is null)
        {
            return Fail(request, session, s_noSecondFactor, events, started);
        }

        SignInPolicy policy = organization.SignInPolicy;
        FactorKinds has = account.FactorsOf(policy.AllowedFactors);
        if (passkeys is null)
        {
            has &= ~FactorKinds.Passkey;
        }

        if (has != FactorKinds.None)
        {
            PasskeyAssertionOffer? offer = (has & FactorKinds.Passkey) != 0 ? passkeys!.SecondFactorOffer(organization, account) : null;
            return InteractionResult.ShowSecondFactor(request, events, (has & FactorKinds.Totp) != 0, offer, codeRejected, passkeyRejected, started);
        }

        if (policy.AllowsEnrolment(policy.RequiresMfa(account.Groups), account.EnrolmentClockStart, timeProvider.GetUtcNow()))
        {
            byte[]? secret = (policy.AllowedFactors & FactorKinds.Totp) != 0 ? await secondFactors!.BeginEnrolmentAsync(organization, account, cancellationToken) : null;
            PasskeyRegistrationOffer? registration = (policy.AllowedFactors & FactorKinds.Passkey) != 0 && passkeys is not null
                ? passkeys.RegistrationOffer(organization, account)
                : null;
            if (secret is not null || registration is not null)
            {
                TotpEnrolment? totp = secret is null ? null : new TotpEnrolment(secret, account.Username);
                return InteractionResult.ShowEnrolment(request, totp, registration, events, codeRejected, passkeyRejected, started);
            }
        }

        events.Add(new InteractionEvent("mfa.failed", false, request.Client.ClientId, session.Subject, ("reason", SecondFactorFailureReasons.EnrolmentRequired)));
        return Fail(request, session, s_noSecondFactor, events, started);
    }

    /// <summary>The session after a second factor: a new one (new secret and id), with the factor in amr and the MFA acr.</summary>
    private Task<StartedSession> StartWithSecondFactorAsync(
        Organization organization, AuthenticationSession session, string? sessionSecret, CancellationToken cancellationToken) =>
        sessions.StartAsync(organization, session.Subject, AuthenticationMethods.PasswordAndOneTimePassword, sessionSecret, cancellationToken,
            acr: AuthenticationMethods.MfaLevel);

    /// <summary>
    /// After a refused code: a locked account's session is ended and the login page shown (a disabled user's session
    /// no longer counts at all); otherwise the interaction goes on from where it stands (e.g. to enrolment when the
    /// factor was removed meanwhile).
    /// </summary>
    private async Task<InteractionResult> EndOrContinueAsync(
        AuthorizationRequest request, AuthenticationSession session, bool locked, List<InteractionEvent> events, CancellationToken cancellationToken)
    {
        if (locked)
        {
            await sessions.EndAsync(session, cancellationToken);
            return InteractionResult.ShowLogin(request, events, credentialsRejected: true);
        }

        return await ContinueAsync(request, new Progress(session, events), cancellationToken);
    }

    private static InteractionResult Fail(
        AuthorizationRequest request, AuthenticationSession? session, OAuthError error, List<InteractionEvent> events, StartedSession? started)
    {
        events.Add(new InteractionEvent("authorize.failed", false, request.Client.ClientId, session?.Subject,
            ("error", error.ErrorName), ("reason", error.Description)));
        return InteractionResult.Deliver(
            AuthorizationResponse.Failure(request.RedirectUri, request.ResponseMode, error, request.State, request.Organization.Issuer), events, started);
    }

    /// <summary>
    /// For the forms that act on the current session (second factor, enrolment): the valid request and the session,
    /// or the refusal of the request; a null session with a valid request means the login page comes next.
    /// </summary>
    private async Task<(AuthorizationRequest? Request, AuthenticationSession? Session, InteractionResult? Refusal)> ValidateSignedInAsync(
        Organization organization, ProtocolParameters parameters, string? sessionSecret, CancellationToken cancellationToken)
    {
        (AuthorizationRequest? request, InteractionResult? refusal) = await ValidateAsync(organization, parameters, cancellationToken);
        return request is null
            ? (null, null, refusal)
            : (request, await sessions.FindCurrentAsync(organization, sessionSecret, cancellationToken), null);
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
