using Clavex.Core.Authorization;
using Clavex.Core.Protocol;

namespace Clavex.Core.Interaction;

/// <summary>
/// The user is signed in, recently enough (OIDC Core §3.1.2.1 <c>prompt</c> and <c>max_age</c>). A session counts
/// as fresh when it was created by a login shown for this very request, so prompt=login and max_age=0 do not loop.
/// </summary>
public sealed class LoginStep : IInteractionStep
{
    public static readonly LoginStep Instance = new();

    private static readonly OAuthError s_loginRequired = new(OAuthErrorCode.LoginRequired, "The user is not signed in (prompt=none).");

    private LoginStep()
    {
    }

    public InteractionKind Prompt => InteractionKind.Login;

    public OAuthError PromptNoneError => s_loginRequired;

    public bool IsSatisfied(AuthorizationRequest request, InteractionState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.Session is not { } session)
        {
            return false;
        }

        if (state.SessionIsFresh)
        {
            return true;
        }

        // prompt=login and select_account: show the login page even with a session (we have one account per browser).
        if (request.Prompt.HasFlag(Authorization.Prompt.Login) || request.Prompt.HasFlag(Authorization.Prompt.SelectAccount))
        {
            return false;
        }

        // max_age: the session's authentication must be at most that many seconds old.
        return request.MaxAge is not int maxAge || now - session.AuthTime <= TimeSpan.FromSeconds(maxAge);
    }
}
