using System.Text.Json;
using Clavex.Core.Jose;

namespace Clavex.Core.Claims;

/// <summary>
/// The standard claims of OIDC Core §5.1 that Clavex can emit, in the order they are written. The value is the
/// claim's bit in a <see cref="uint"/> mask, so the writer tracks withheld and written claims without a collection.
/// </summary>
internal enum StandardClaim
{
    Name,
    GivenName,
    FamilyName,
    MiddleName,
    Nickname,
    PreferredUsername,
    Picture,
    Website,
    Locale,
    Zoneinfo,
    UpdatedAt,
    Email,
    EmailVerified,
    PhoneNumber,
    PhoneNumberVerified,
    Address,
}

internal static class StandardClaims
{
    /// <summary>Indexed by <see cref="StandardClaim"/>.</summary>
    private static readonly JsonEncodedText[] s_names =
    [
        JwtClaimNames.Name,
        JwtClaimNames.GivenName,
        JwtClaimNames.FamilyName,
        JwtClaimNames.MiddleName,
        JwtClaimNames.Nickname,
        JwtClaimNames.PreferredUsername,
        JwtClaimNames.Picture,
        JwtClaimNames.Website,
        JwtClaimNames.Locale,
        JwtClaimNames.Zoneinfo,
        JwtClaimNames.UpdatedAt,
        JwtClaimNames.Email,
        JwtClaimNames.EmailVerified,
        JwtClaimNames.PhoneNumber,
        JwtClaimNames.PhoneNumberVerified,
        JwtClaimNames.Address,
    ];

    public static int Count => s_names.Length;

    public static JsonEncodedText GetName(StandardClaim claim) => s_names[(int)claim];

    public static uint Bit(StandardClaim claim) => 1u << (int)claim;

    /// <summary>The claim called <paramref name="name"/> (ordinal: claim names are case-sensitive), if any.</summary>
    public static bool TryFind(string name, out StandardClaim claim)
    {
        // Every name is plain ASCII, so the encoded text's Value is the name itself.
        for (int i = 0; i < s_names.Length; i++)
        {
            if (string.Equals(s_names[i].Value, name, StringComparison.Ordinal))
            {
                claim = (StandardClaim)i;
                return true;
            }
        }

        claim = default;
        return false;
    }
}
