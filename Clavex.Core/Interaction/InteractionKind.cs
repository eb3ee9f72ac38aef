namespace Clavex.Core.Interaction;

/// <summary>What an authorization request needs next.</summary>
public enum InteractionKind
{
    /// <summary>Everything is settled: issue the code.</summary>
    IssueCode,

    /// <summary>Show the login page, then decide again with the new session.</summary>
    Login,

    /// <summary>Show the second-factor page (or enrolment, when the user has no factor), then decide again.</summary>
    SecondFactor,

    /// <summary>Show the consent page, then decide again with the consent recorded.</summary>
    Consent,

    /// <summary>prompt=none could not be honoured: redirect <see cref="InteractionDecision.Error"/>.</summary>
    Error,
}
