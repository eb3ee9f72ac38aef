using Clavex.Core.Sessions;

namespace Clavex.Core.Interaction;

/// <summary>
/// What is known about the user agent when the next step is decided (OIDC Core §3.1.2.3–3.1.2.4): the facts every
/// <see cref="IInteractionStep"/> reads. A step that needs a new fact (the user's second factors, say) adds it here
/// and <see cref="SignInInteraction"/> loads it.
/// </summary>
/// <param name="Session">The provider session, or null when the user is not signed in.</param>
/// <param name="SessionIsFresh">The session was created by a login shown for this very request.</param>
/// <param name="HasConsent">The user has consented to every requested scope for this client before.</param>
/// <param name="ConsentIsFresh">The user consented on a page shown for this very request.</param>
/// <param name="SecondFactorRequired">
/// This sign-in needs a second factor: the session is waiting for one, the organisation or the client demands one, or
/// <c>acr_values</c> asks for it.
/// </param>
public readonly record struct InteractionState(
    AuthenticationSession? Session,
    bool SessionIsFresh,
    bool HasConsent,
    bool ConsentIsFresh,
    bool SecondFactorRequired = false);
