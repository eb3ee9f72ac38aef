using Clavex.Core.Authorization;
using Clavex.Core.Protocol;

namespace Clavex.Core.Interaction;

/// <summary>
/// The user has agreed to give this client the requested scopes (OIDC Core §3.1.2.4): once per client and scope set
/// for a client that requires consent, and again on a page shown for this request when it says prompt=consent.
/// </summary>
public sealed class ConsentStep : IInteractionStep
{
    public static readonly ConsentStep Instance = new();

    private static readonly OAuthError s_consentRequired = new(OAuthErrorCode.ConsentRequired, "The user has not consented to this client (prompt=none).");

    private ConsentStep()
    {
    }

    public InteractionKind Prompt => InteractionKind.Consent;

    public OAuthError PromptNoneError => s_consentRequired;

    /// <summary>Whether <see cref="InteractionState.HasConsent"/> matters for this request, so the store is read only then.</summary>
    public static bool ReadsStoredConsent(AuthorizationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Client.RequireConsent || request.Prompt.HasFlag(Authorization.Prompt.Consent);
    }

    public bool IsSatisfied(AuthorizationRequest request, InteractionState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        return !(request.Client.RequireConsent && !state.HasConsent)
            && !(request.Prompt.HasFlag(Authorization.Prompt.Consent) && !state.ConsentIsFresh);
    }
}
