namespace Clavex.Core.Clients;

/// <summary>Token lifetimes of a client; the defaults suit interactive sign-in to Atlassian products.</summary>
public sealed record TokenLifetimes
{
    public static readonly TokenLifetimes Default = new();

    /// <summary>
    /// The longest access or ID token lifetime a client may have. Signing-key retirement relies on it: a previous key
    /// stays published this long after it stops signing, so every token it signed expires before it is unpublished,
    /// whatever the client's lifetime was when the token was issued.
    /// </summary>
    public static readonly TimeSpan MaxSignedTokenLifetime = TimeSpan.FromDays(1);

    public TimeSpan AuthorizationCode { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan AccessToken { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan IdToken { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A refresh token unused for this long expires; each rotation starts the window again.</summary>
    public TimeSpan RefreshTokenSliding { get; init; } = TimeSpan.FromHours(8);

    /// <summary>No refresh token of a grant outlives this, however often it is used.</summary>
    public TimeSpan RefreshTokenAbsolute { get; init; } = TimeSpan.FromDays(30);
}
