using System.Buffers;
using System.Text;
using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Users;

namespace Clavex.Tests.Claims;

/// <summary>Users for claim tests, and the claims they produce as a JSON string.</summary>
internal static class TestUsers
{
    public static readonly string[] AllScopes =
        [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Phone, Scopes.Address, Scopes.Groups, Scopes.OfflineAccess];

    /// <summary>Every claim Clavex knows has a value.</summary>
    public static User Jane() => new()
    {
        OrganizationId = 1,
        Subject = "u_7Hq2",
        Username = "jdoe",
        Name = "Jane Doe",
        GivenName = "Jane",
        FamilyName = "Doe",
        MiddleName = "Quinn",
        Nickname = "JD",
        Picture = "https://id.acme.eu/avatars/jdoe.png",
        Website = "https://jane.example",
        Locale = "de-AT",
        Zoneinfo = "Europe/Vienna",
        UpdatedAt = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Email = "jane.doe@acme.eu",
        EmailVerified = true,
        PhoneNumber = "+43 1 234567",
        PhoneNumberVerified = true,
        Address = new PostalAddress
        {
            Formatted = "Ringstraße 1\n1010 Wien\nAustria",
            StreetAddress = "Ringstraße 1",
            Locality = "Wien",
            Region = "Wien",
            PostalCode = "1010",
            Country = "AT",
        },
        Attributes = new Dictionary<string, string> { ["department"] = "R&D", ["cost_center"] = "4711" },
        Groups = ["jira-software-users", "confluence-users", "acme-staff"],
    };

    /// <summary>Only what every user has.</summary>
    public static User Minimal() => new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe" };

    /// <summary>The members <see cref="UserClaimsWriter"/> writes, inside <c>{}</c>, as the JWT writer would encode them.</summary>
    public static string WriteClaims(User user, IReadOnlyList<string> scopes, ClaimMapping? mapping = null, ClaimTarget target = ClaimTarget.IdToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions))
        {
            writer.WriteStartObject();
            UserClaimsWriter.Write(writer, user, scopes, mapping ?? ClaimMapping.Default, target);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
