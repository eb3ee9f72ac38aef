using Clavex.Core.Authorization;

namespace Clavex.Core.Interaction;

/// <summary>What an authorization request needs next: a page, the code, or (prompt=none) an error to redirect.</summary>
public sealed record InteractionDecision(InteractionKind Kind, AuthorizationResponse? Error = null)
{
    private static readonly InteractionDecision s_issue = new(InteractionKind.IssueCode);
    private static readonly InteractionDecision s_login = new(InteractionKind.Login);
    private static readonly InteractionDecision s_secondFactor = new(InteractionKind.SecondFactor);
    private static readonly InteractionDecision s_consent = new(InteractionKind.Consent);

    /// <summary>Decides with the <see cref="InteractionPolicy.Default"/> steps.</summary>
    public static InteractionDecision Decide(AuthorizationRequest request, InteractionState state, DateTimeOffset now) =>
        Decide(InteractionPolicy.Default, request, state, now);

    /// <summary>
    /// Asks the policy's steps in order; the first one not satisfied is shown, or with prompt=none is the error
    /// (OIDC Core §3.1.2.1: nothing may be displayed, so say why the request cannot proceed).
    /// </summary>
    public static InteractionDecision Decide(InteractionPolicy policy, AuthorizationRequest request, InteractionState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        foreach (IInteractionStep step in policy.Steps)
        {
            if (step.IsSatisfied(request, state, now))
            {
                continue;
            }

            return request.Prompt == Prompt.None
                ? new InteractionDecision(InteractionKind.Error, AuthorizationResponse.Failure(
                    request.RedirectUri, request.ResponseMode, step.PromptNoneError, request.State, request.Organization.Issuer))
                : step.Prompt switch
                {
                    InteractionKind.Login => s_login,
                    InteractionKind.SecondFactor => s_secondFactor,
                    InteractionKind.Consent => s_consent,
                    _ => new InteractionDecision(step.Prompt),
                };
        }

        return s_issue;
    }
}
