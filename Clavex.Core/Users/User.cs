namespace Clavex.Core.Users;

/// <summary>
/// A person (or service account) of one organisation, with the standard claims of OIDC Core §5.1. The subject is
/// assigned once, never reused and never the username, because usernames change.
/// </summary>
public sealed class User
{
    public required long OrganizationId { get; init; }

    public required string Subject { get; init; }

    public required string Username { get; init; }

    public bool Enabled { get; init; } = true;

    public string? Name { get; init; }

    public string? GivenName { get; init; }

    public string? FamilyName { get; init; }

    public string? MiddleName { get; init; }

    public string? Nickname { get; init; }

    public string? Picture { get; init; }

    public string? Website { get; init; }

    public string? Locale { get; init; }

    public string? Zoneinfo { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public string? Email { get; init; }

    public bool EmailVerified { get; init; }

    public string? PhoneNumber { get; init; }

    public bool PhoneNumberVerified { get; init; }

    public PostalAddress? Address { get; init; }

    /// <summary>Free-form attributes an admin can map into claims (e.g. <c>department</c>).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = EmptyAttributes;

    /// <summary>Group names, as Clavex knows them; claim mapping may filter and rename them per client.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    private static readonly IReadOnlyDictionary<string, string> EmptyAttributes = new Dictionary<string, string>();
}

/// <summary>The <c>address</c> claim (OIDC Core §5.1.1).</summary>
public sealed record PostalAddress
{
    public string? Formatted { get; init; }

    public string? StreetAddress { get; init; }

    public string? Locality { get; init; }

    public string? Region { get; init; }

    public string? PostalCode { get; init; }

    public string? Country { get; init; }
}
