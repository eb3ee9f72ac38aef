using Clavex.Core.Authorization;
using Clavex.Core.Factors;
using Clavex.Core.Protocol;

namespace Clavex.Core.Interaction;

/// <summary>
/// The user has given a second factor when one is needed (<see cref="InteractionState.SecondFactorRequired"/>: the
/// organisation's policy, the client's <c>require_mfa</c>, <c>acr_values</c>, or a factor the user enrolled). After
/// <see cref="LoginStep"/>, so an existing session is stepped up with the second factor alone.
/// </summary>
public sealed class SecondFactorStep : IInteractionStep
{
    public static readonly SecondFactorStep Instance = new();

    private static readonly OAuthError s_interactionRequired = new(OAuthErrorCode.InteractionRequired, "A second factor is required (prompt=none).");

    private SecondFactorStep()
    {
    }

    public InteractionKind Prompt => InteractionKind.SecondFactor;

    public OAuthError PromptNoneError => s_interactionRequired;

    public bool IsSatisfied(AuthorizationRequest request, InteractionState state, DateTimeOffset now) =>
        state.Session is not { } session || !state.SecondFactorRequired || AuthenticationMethods.HasMultipleFactors(session.Amr);
}
