using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Users;

namespace Clavex.Core.Claims;

/// <summary>
/// Writes a user's claims for the granted scopes (OIDC Core §5.4) as members of a JSON object the caller has
/// opened and fills with the protocol claims itself. OIDC Core §5.4 returns scope claims at userinfo when an access
/// token is issued; Clavex puts them in the ID token as well, unless the client's
/// <see cref="ClaimMapping.UserinfoOnlyClaims"/> keeps them out, because Atlassian's plugins read only the ID token.
/// </summary>
/// <remarks>
/// Hot path of token issuance: no LINQ, closures or intermediate collections; names are pre-encoded, and the only
/// allocations are the writer's own (a pooled rental for the groups claim is returned before this returns).
/// </remarks>
public static class UserClaimsWriter
{
    // OIDC Core §5.1.1: the members of the address claim.
    private static readonly JsonEncodedText s_formatted = JsonEncodedText.Encode("formatted");
    private static readonly JsonEncodedText s_streetAddress = JsonEncodedText.Encode("street_address");
    private static readonly JsonEncodedText s_locality = JsonEncodedText.Encode("locality");
    private static readonly JsonEncodedText s_region = JsonEncodedText.Encode("region");
    private static readonly JsonEncodedText s_postalCode = JsonEncodedText.Encode("postal_code");
    private static readonly JsonEncodedText s_country = JsonEncodedText.Encode("country");

    [Flags]
    private enum ClaimScopes
    {
        None = 0,
        Profile = 1,
        Email = 2,
        Phone = 4,
        Address = 8,
        Groups = 16,
    }

    public static void Write(Utf8JsonWriter writer, User user, IReadOnlyList<string> grantedScopes, ClaimMapping mapping, ClaimTarget target)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(grantedScopes);
        ArgumentNullException.ThrowIfNull(mapping);

        ClaimScopes scopes = ParseScopes(grantedScopes);
        bool idToken = target == ClaimTarget.IdToken;
        var claims = new StandardClaimWriter(writer, idToken ? WithheldStandardClaims(mapping.UserinfoOnlyClaims) : 0);

        if ((scopes & ClaimScopes.Profile) != 0)
        {
            WriteProfile(ref claims, user, mapping.PreferredUsernameSource);
        }

        // OIDC Core §5.4: each scope brings its _verified claim, truthfully; it qualifies a value, so not without one.
        if ((scopes & ClaimScopes.Email) != 0 && !string.IsNullOrEmpty(user.Email))
        {
            claims.WriteString(StandardClaim.Email, user.Email);
            claims.WriteBoolean(StandardClaim.EmailVerified, user.EmailVerified);
        }

        if ((scopes & ClaimScopes.Phone) != 0 && !string.IsNullOrEmpty(user.PhoneNumber))
        {
            claims.WriteString(StandardClaim.PhoneNumber, user.PhoneNumber);
            claims.WriteBoolean(StandardClaim.PhoneNumberVerified, user.PhoneNumberVerified);
        }

        if ((scopes & ClaimScopes.Address) != 0
            && user.Address is { } address
            && HasAnyMember(address)
            && claims.TryBegin(StandardClaim.Address))
        {
            WriteAddress(writer, address);
        }

        bool groupsWritten = (scopes & ClaimScopes.Groups) != 0 && CanWriteGroups(mapping, idToken, claims.Written);
        if (groupsWritten)
        {
            GroupsClaim.Write(writer, user.Groups, mapping);
        }

        var context = new ExtraClaimContext(user, grantedScopes, mapping, idToken, claims.Written, groupsWritten);
        IReadOnlyList<ExtraClaim> extraClaims = mapping.ExtraClaims;
        for (int i = 0; i < extraClaims.Count; i++)
        {
            if (TryResolve(extraClaims[i], in context, out string? value) && !IsWrittenEarlier(extraClaims, i, in context))
            {
                writer.WriteString(extraClaims[i].Name, value);
            }
        }
    }

    /// <summary>
    /// Names an extra claim (or a groups claim name) may never take: the registered claims of RFC 7519 §4.1, the
    /// ID token claims of OIDC Core §2 and §3.3.2.11, <c>sid</c> (OIDC Front-Channel Logout §3), <c>client_id</c>
    /// and <c>scope</c> of access tokens (RFC 9068 §2.2) and <c>cnf</c> (RFC 7800 §3.1). Case-sensitive, as claim
    /// names are.
    /// </summary>
    public static bool IsReservedClaimName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "iss" or "sub" or "aud" or "exp" or "iat" or "nbf" or "jti" => true,
            "auth_time" or "nonce" or "acr" or "amr" or "azp" or "sid" or "at_hash" or "c_hash" => true,
            "client_id" or "scope" or "cnf" => true,
            _ => false,
        };
    }

    // OIDC Core §5.4; openid, offline_access and scopes Clavex does not know carry no user claims.
    private static ClaimScopes ParseScopes(IReadOnlyList<string> grantedScopes)
    {
        ClaimScopes scopes = ClaimScopes.None;
        for (int i = 0; i < grantedScopes.Count; i++)
        {
            scopes |= grantedScopes[i] switch
            {
                Scopes.Profile => ClaimScopes.Profile,
                Scopes.Email => ClaimScopes.Email,
                Scopes.Phone => ClaimScopes.Phone,
                Scopes.Address => ClaimScopes.Address,
                Scopes.Groups => ClaimScopes.Groups,
                _ => ClaimScopes.None,
            };
        }

        return scopes;
    }

    private static uint WithheldStandardClaims(IReadOnlyList<string> userinfoOnlyClaims)
    {
        uint withheld = 0;
        for (int i = 0; i < userinfoOnlyClaims.Count; i++)
        {
            if (userinfoOnlyClaims[i] is { } name && StandardClaims.TryFind(name, out StandardClaim claim))
            {
                withheld |= StandardClaims.Bit(claim);
            }
        }

        return withheld;
    }

    // OIDC Core §5.4, profile scope; §5.1 updated_at is a number of seconds since the epoch.
    private static void WriteProfile(ref StandardClaimWriter claims, User user, PreferredUsernameSource preferredUsernameSource)
    {
        claims.WriteString(StandardClaim.Name, user.Name);
        claims.WriteString(StandardClaim.GivenName, user.GivenName);
        claims.WriteString(StandardClaim.FamilyName, user.FamilyName);
        claims.WriteString(StandardClaim.MiddleName, user.MiddleName);
        claims.WriteString(StandardClaim.Nickname, user.Nickname);
        claims.WriteString(StandardClaim.PreferredUsername, PreferredUsername(user, preferredUsernameSource));
        claims.WriteString(StandardClaim.Picture, user.Picture);
        claims.WriteString(StandardClaim.Website, user.Website);
        claims.WriteString(StandardClaim.Locale, user.Locale);
        claims.WriteString(StandardClaim.Zoneinfo, user.Zoneinfo);
        if (user.UpdatedAt is { } updatedAt)
        {
            claims.WriteNumber(StandardClaim.UpdatedAt, updatedAt.ToUnixTimeSeconds());
        }
    }

    private static string PreferredUsername(User user, PreferredUsernameSource source) =>
        source == PreferredUsernameSource.Email && !string.IsNullOrEmpty(user.Email) ? user.Email : user.Username;

    private static bool HasAnyMember(PostalAddress address) =>
        !string.IsNullOrEmpty(address.Formatted)
        || !string.IsNullOrEmpty(address.StreetAddress)
        || !string.IsNullOrEmpty(address.Locality)
        || !string.IsNullOrEmpty(address.Region)
        || !string.IsNullOrEmpty(address.PostalCode)
        || !string.IsNullOrEmpty(address.Country);

    private static void WriteAddress(Utf8JsonWriter writer, PostalAddress address)
    {
        writer.WriteStartObject(JwtClaimNames.Address);
        WriteMember(writer, s_formatted, address.Formatted);
        WriteMember(writer, s_streetAddress, address.StreetAddress);
        WriteMember(writer, s_locality, address.Locality);
        WriteMember(writer, s_region, address.Region);
        WriteMember(writer, s_postalCode, address.PostalCode);
        WriteMember(writer, s_country, address.Country);
        writer.WriteEndObject();
    }

    private static void WriteMember(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }

    // Whenever the groups scope is granted the claim is written, except where it would break the token: never over
    // a protocol claim, never as a second member of a name already written (RFC 7519 §4: claim names are unique).
    private static bool CanWriteGroups(ClaimMapping mapping, bool idToken, uint standardWritten)
    {
        string name = mapping.GroupsClaimName;
        if (string.IsNullOrEmpty(name) || IsReservedClaimName(name))
        {
            return false;
        }

        if (idToken && OrdinalList.Contains(mapping.UserinfoOnlyClaims, name))
        {
            return false;
        }

        return !StandardClaims.TryFind(name, out StandardClaim claim) || (standardWritten & StandardClaims.Bit(claim)) == 0;
    }

    /// <summary>
    /// The value <paramref name="extra"/> would be written with: a user attribute when it names one (omitted when the
    /// user has none, even if a static value is also set), else its static value. Never a reserved name, never a
    /// name written before it, never an empty value.
    /// </summary>
    private static bool TryResolve(ExtraClaim extra, in ExtraClaimContext context, [NotNullWhen(true)] out string? value)
    {
        value = null;
        string name = extra.Name;
        if (string.IsNullOrEmpty(name)
            || IsReservedClaimName(name)
            || (extra.Scope is { } scope && !OrdinalList.Contains(context.GrantedScopes, scope))
            || (context.IdToken && OrdinalList.Contains(context.Mapping.UserinfoOnlyClaims, name))
            || (StandardClaims.TryFind(name, out StandardClaim claim) && (context.StandardWritten & StandardClaims.Bit(claim)) != 0)
            || (context.GroupsWritten && string.Equals(name, context.Mapping.GroupsClaimName, StringComparison.Ordinal)))
        {
            return false;
        }

        if (extra.FromAttribute is { } attribute)
        {
            context.User.Attributes.TryGetValue(attribute, out value);
        }
        else
        {
            value = extra.StaticValue;
        }

        return !string.IsNullOrEmpty(value);
    }

    // Of two extra claims with one name the first that resolves wins; recomputed rather than remembered in a set.
    private static bool IsWrittenEarlier(IReadOnlyList<ExtraClaim> extraClaims, int index, in ExtraClaimContext context)
    {
        string name = extraClaims[index].Name;
        for (int i = 0; i < index; i++)
        {
            if (string.Equals(extraClaims[i].Name, name, StringComparison.Ordinal) && TryResolve(extraClaims[i], in context, out _))
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct ExtraClaimContext(
        User User, IReadOnlyList<string> GrantedScopes, ClaimMapping Mapping, bool IdToken, uint StandardWritten, bool GroupsWritten);
}
