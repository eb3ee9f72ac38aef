namespace Clavex.Server.Login;

/// <summary>
/// What every page shares: its language, and the organisation it belongs to as its admins set it up (display name,
/// optional logo and accent colour). <see cref="OrganizationName"/> is null on pages outside any organisation.
/// </summary>
public sealed record PageFrame(PageTexts Texts, string? OrganizationName, string? LogoUri = null, string? AccentColor = null)
{
    /// <summary>English, no organisation: the frame of pages that arrive before anything is known.</summary>
    public static PageFrame Plain { get; } = new(PageTexts.English, null);

    public bool HasBranding => LogoUri is not null || AccentColor is not null;
}
