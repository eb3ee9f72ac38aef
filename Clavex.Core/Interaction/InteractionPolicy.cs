namespace Clavex.Core.Interaction;

/// <summary>
/// The steps an authorization request goes through before its code is issued, in order (after node-oidc-provider's
/// interaction policy and Keycloak's authentication flows): the first step not satisfied decides what comes next.
/// </summary>
public sealed class InteractionPolicy
{
    /// <summary>Sign in, give a second factor when one is needed, then consent.</summary>
    public static readonly InteractionPolicy Default = new([LoginStep.Instance, SecondFactorStep.Instance, ConsentStep.Instance]);

    public InteractionPolicy(IReadOnlyList<IInteractionStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        Steps = steps;
    }

    public IReadOnlyList<IInteractionStep> Steps { get; }
}
