using Clavex.Core.Authorization;
using Clavex.Core.Protocol;

namespace Clavex.Core.Interaction;

/// <summary>
/// One thing that must hold before an authorization code is issued: a signed-in user, a second factor, consent.
/// <see cref="InteractionPolicy"/> asks its steps in order, and the first one not satisfied is what the user sees
/// next; so adding a factor is adding a step, not editing the others.
/// </summary>
public interface IInteractionStep
{
    /// <summary>The page to show when the step is not satisfied.</summary>
    InteractionKind Prompt { get; }

    /// <summary>The error when the step is not satisfied and nothing may be shown (prompt=none, OIDC Core §3.1.2.6).</summary>
    OAuthError PromptNoneError { get; }

    bool IsSatisfied(AuthorizationRequest request, InteractionState state, DateTimeOffset now);
}
