using Clavex.Core.Protocol;
using Clavex.Core.Sessions;

namespace Clavex.Core.Authorization;

public enum InteractionKind
{
    /// <summary>Everything is settled: issue the code.</summary>
    IssueCode,

    /// <summary>Show the login page, then decide again with the new session.</summary>
    Login,

    /// <summary>Show the consent page, then decide again with the consent recorded.</summary>
    Consent,

    /// <summary>prompt=none could not be honoured: redirect <see cref="InteractionDecision.Error"/>.</summary>
    Error,
}

/// <summary>What the host knows about the user agent when it decides (OIDC Core §3.1.2.3–3.1.2.4).</summary>
public readonly record struct InteractionState(
    AuthenticationSession? Session,
    bool SessionIsFresh,
    bool HasConsent,
    bool ConsentIsFresh);

public sealed record InteractionDecision(InteractionKind Kind, AuthorizationResponse? Error = null)
{
    private static readonly InteractionDecision s_issue = new(InteractionKind.IssueCode);
    private static readonly InteractionDecision s_login = new(InteractionKind.Login);
    private static readonly InteractionDecision s_consent = new(InteractionKind.Consent);

    /// <summary>
    /// Decides whether the user must (re)authenticate or consent before a code can be issued. A session counts as
    /// fresh when it was created by a login shown for this very request, so prompt=login and max_age=0 do not loop.
    /// </summary>
    public static InteractionDecision Decide(AuthorizationRequest request, InteractionState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        AuthenticationSession? session = state.Session;
        bool loginNeeded = session is null
            || (!state.SessionIsFresh && (request.Prompt.HasFlag(Prompt.Login) || request.Prompt.HasFlag(Prompt.SelectAccount)))
            || (!state.SessionIsFresh && request.MaxAge is int maxAge && now - session.AuthTime > TimeSpan.FromSeconds(maxAge));
        bool consentNeeded = (request.Client.RequireConsent && !state.HasConsent)
            || (request.Prompt.HasFlag(Prompt.Consent) && !state.ConsentIsFresh);

        if (request.Prompt == Prompt.None)
        {
            // OIDC Core §3.1.2.1: with prompt=none nothing may be displayed; say why it cannot proceed.
            if (loginNeeded)
            {
                return Fail(request, OAuthErrorCode.LoginRequired, "The user is not signed in (prompt=none).");
            }

            if (consentNeeded)
            {
                return Fail(request, OAuthErrorCode.ConsentRequired, "The user has not consented to this client (prompt=none).");
            }

            return s_issue;
        }

        if (loginNeeded)
        {
            return s_login;
        }

        return consentNeeded ? s_consent : s_issue;
    }

    private static InteractionDecision Fail(AuthorizationRequest request, OAuthErrorCode code, string description) =>
        new(InteractionKind.Error, AuthorizationResponse.Failure(
            request.RedirectUri, request.ResponseMode, new OAuthError(code, description), request.State, request.Organization.Issuer));
}
