namespace Clavex.Core.Sessions;

/// <summary>A signed-in user at the provider: what <c>auth_time</c>, <c>amr</c>, <c>acr</c> and <c>sid</c> come from.</summary>
public sealed record AuthenticationSession
{
    public required long OrganizationId { get; init; }

    /// <summary>The session id (also the ID token's <c>sid</c>); random, never derived from the user.</summary>
    public required string Id { get; init; }

    public required string Subject { get; init; }

    public required DateTimeOffset AuthTime { get; init; }

    /// <summary>Authentication methods (RFC 8176), e.g. <c>pwd</c>.</summary>
    public IReadOnlyList<string> Amr { get; init; } = [];

    public string? Acr { get; init; }

    /// <summary>
    /// The password was right but the user must still give a second factor: the session stands for no one until
    /// then, and every authorization request shows the second-factor step first.
    /// </summary>
    public bool SecondFactorPending { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// Whether the session's user is enabled, when the store read it with the session (null: it did not, and
    /// <see cref="Interaction.BrowserSessions"/> looks the user up).
    /// </summary>
    public bool? UserEnabled { get; init; }
}
