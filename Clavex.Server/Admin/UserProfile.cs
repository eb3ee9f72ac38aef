using System.Text.Json;
using Clavex.Core.Users;

namespace Clavex.Server.Admin;

/// <summary>
/// Reads a user's username and standard claims (OIDC Core §5.1) from admin JSON, and writes a user back in the same
/// shape. PATCH merges into the written form and reads the result here, as for clients.
/// </summary>
internal static class UserProfile
{
    private static readonly string[] StringClaims =
        ["name", "given_name", "family_name", "middle_name", "nickname", "picture", "website", "locale", "zoneinfo", "email", "phone_number"];

    private static readonly string[] AddressFields = ["formatted", "street_address", "locality", "region", "postal_code", "country"];

    /// <summary>What PATCH may change; <c>sub</c>, <c>enabled</c>, <c>groups</c> and the password have their own endpoints.</summary>
    public static readonly HashSet<string> ProfileFields = new(
        ["username", .. StringClaims, "email_verified", "phone_number_verified", "address", "attributes"], StringComparer.Ordinal);

    public static readonly HashSet<string> CreateFields = new([.. ProfileFields, "password", "groups", "enabled"], StringComparer.Ordinal);

    /// <summary>The user in <paramref name="fields"/>; <paramref name="known"/> are the members allowed in this request.</summary>
    public static User? Read(JsonFields fields, IReadOnlySet<string> known, long organizationId, string subject, bool enabled)
    {
        fields.RejectUnknown(known);
        string? username = fields.String("username", 256, required: true);
        if (username is not null && (username.Trim().Length != username.Length || username.Any(char.IsControl)))
        {
            fields.Fail("username must not start or end with white space or contain control characters.");
        }

        var claims = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string name in StringClaims)
        {
            claims[name] = fields.String(name);
        }

        foreach (string name in new[] { "picture", "website" })
        {
            if (claims[name] is string url && !(Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            {
                fields.Fail($"{name} must be an absolute http or https URL.");
            }
        }

        if (claims["email"] is string email && (email.IndexOf('@', StringComparison.Ordinal) <= 0 || email.Any(char.IsWhiteSpace)))
        {
            fields.Fail("email must be an address like name@example.com.");
        }

        PostalAddress? address = null;
        if (fields.Object("address") is JsonFields parts)
        {
            parts.RejectUnknown(new HashSet<string>(AddressFields, StringComparer.Ordinal));
            address = new PostalAddress
            {
                Formatted = parts.String("formatted"),
                StreetAddress = parts.String("street_address"),
                Locality = parts.String("locality"),
                Region = parts.String("region"),
                PostalCode = parts.String("postal_code"),
                Country = parts.String("country"),
            };
        }

        IReadOnlyList<string> groups = fields.Strings("groups", 256) ?? [];
        foreach (string group in groups)
        {
            if (GroupsApi.NameProblem(group) is string problem)
            {
                fields.Fail($"groups has '{group}', which {problem}.");
            }
        }

        return new User
        {
            OrganizationId = organizationId,
            Subject = subject,
            Username = username ?? string.Empty,
            Enabled = fields.Bool("enabled") ?? enabled,
            Name = claims["name"],
            GivenName = claims["given_name"],
            FamilyName = claims["family_name"],
            MiddleName = claims["middle_name"],
            Nickname = claims["nickname"],
            Picture = claims["picture"],
            Website = claims["website"],
            Locale = claims["locale"],
            Zoneinfo = claims["zoneinfo"],
            Email = claims["email"],
            EmailVerified = fields.Bool("email_verified") ?? false,
            PhoneNumber = claims["phone_number"],
            PhoneNumberVerified = fields.Bool("phone_number_verified") ?? false,
            Address = address,
            Attributes = fields.StringMap("attributes") ?? [],
            Groups = groups,
        };
    }

    /// <summary>The editable profile, in the shape <see cref="Read"/> takes.</summary>
    public static void WriteProfile(Utf8JsonWriter writer, User user)
    {
        writer.WriteString("username", user.Username);
        writer.WriteStringIfPresent("name", user.Name);
        writer.WriteStringIfPresent("given_name", user.GivenName);
        writer.WriteStringIfPresent("family_name", user.FamilyName);
        writer.WriteStringIfPresent("middle_name", user.MiddleName);
        writer.WriteStringIfPresent("nickname", user.Nickname);
        writer.WriteStringIfPresent("picture", user.Picture);
        writer.WriteStringIfPresent("website", user.Website);
        writer.WriteStringIfPresent("locale", user.Locale);
        writer.WriteStringIfPresent("zoneinfo", user.Zoneinfo);
        writer.WriteStringIfPresent("email", user.Email);
        writer.WriteBoolean("email_verified", user.EmailVerified);
        writer.WriteStringIfPresent("phone_number", user.PhoneNumber);
        writer.WriteBoolean("phone_number_verified", user.PhoneNumberVerified);
        if (user.Address is { } address)
        {
            writer.WriteStartObject("address");
            writer.WriteStringIfPresent("formatted", address.Formatted);
            writer.WriteStringIfPresent("street_address", address.StreetAddress);
            writer.WriteStringIfPresent("locality", address.Locality);
            writer.WriteStringIfPresent("region", address.Region);
            writer.WriteStringIfPresent("postal_code", address.PostalCode);
            writer.WriteStringIfPresent("country", address.Country);
            writer.WriteEndObject();
        }

        writer.WriteStartObject("attributes");
        foreach ((string key, string value) in user.Attributes)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The whole user as the API returns it: the profile and what only the server sets, with <c>locked_until</c> when
    /// <paramref name="lockedUntil"/> (the stored end of the last lock, even if past) is given. The representation is a
    /// function of the stored row alone, never of the clock, so it changes only with the version (its ETag).
    /// </summary>
    public static void Write(Utf8JsonWriter writer, User user, DateTimeOffset? lockedUntil = null)
    {
        writer.WriteString("sub", user.Subject);
        writer.WriteBoolean("enabled", user.Enabled);
        if (lockedUntil is DateTimeOffset locked)
        {
            writer.WriteString("locked_until", locked);
        }

        WriteProfile(writer, user);
        ClientJson.Strings(writer, "groups", user.Groups);
        writer.WriteStringOrNull("updated_at", user.UpdatedAt);
    }

    public static byte[] ToUtf8(User user) => AdminResults.Write(w => Write(w, user));
}
