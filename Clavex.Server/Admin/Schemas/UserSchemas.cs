using System.Text.Json.Serialization;

namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations/{org}/users for the OpenAPI document; UsersApi and UserProfile read and write
// the JSON themselves (UserProfile.Read, UserProfile.Write).

/// <summary>OIDC Core §5.1.1 address claim.</summary>
public sealed record AddressSchema(
    string? Formatted = null, string? StreetAddress = null, string? Locality = null, string? Region = null, string? PostalCode = null, string? Country = null);

/// <summary>Create: the profile, and optionally a password, groups and enabled.</summary>
public sealed record UserCreateRequest(
    string Username, string? Password = null, bool? Enabled = null, IReadOnlyList<string>? Groups = null,
    string? Name = null, string? GivenName = null, string? FamilyName = null, string? MiddleName = null, string? Nickname = null,
    string? Picture = null, string? Website = null, string? Locale = null, string? Zoneinfo = null, string? Email = null,
    bool? EmailVerified = null, string? PhoneNumber = null, bool? PhoneNumberVerified = null, AddressSchema? Address = null,
    IReadOnlyDictionary<string, string>? Attributes = null);

/// <summary>JSON Merge Patch (RFC 7396) of the profile; null removes a member.</summary>
public sealed record UserPatchRequest(
    string? Username = null, string? Name = null, string? GivenName = null, string? FamilyName = null, string? MiddleName = null,
    string? Nickname = null, string? Picture = null, string? Website = null, string? Locale = null, string? Zoneinfo = null,
    string? Email = null, bool? EmailVerified = null, string? PhoneNumber = null, bool? PhoneNumberVerified = null,
    AddressSchema? Address = null, IReadOnlyDictionary<string, string?>? Attributes = null);

public sealed record PasswordRequest(string Password);

/// <summary>What a sign-out ended: the user's provider sessions, and its grants with their refresh and access tokens.</summary>
public sealed record SignOutResponse(int SessionsEnded, int GrantsRevoked);

/// <summary>A user; the optional claims and address are absent when not set.</summary>
public sealed record UserResponse(
    [property: JsonPropertyName("sub")] string Subject, bool Enabled, string Username, bool EmailVerified, bool PhoneNumberVerified,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> Groups, DateTimeOffset? UpdatedAt,
    string? Name = null, string? GivenName = null, string? FamilyName = null, string? MiddleName = null, string? Nickname = null,
    string? Picture = null, string? Website = null, string? Locale = null, string? Zoneinfo = null, string? Email = null,
    string? PhoneNumber = null, AddressSchema? Address = null);

/// <summary>A page of users; <c>next_cursor</c> is null on the last page.</summary>
public sealed record UserListResponse(IReadOnlyList<UserResponse> Users, string? NextCursor);

/// <summary>A user's authenticator app: confirmed false while enrolment waits for its first code.</summary>
public sealed record TotpFactorResponse(bool Confirmed, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? LastUsedAt);

/// <summary>
/// A user's passkey (never its key): <c>backup_eligible</c> true for one that can be synced (a passkey in a password
/// manager or a phone's keychain, <c>amr</c> <c>swk</c>), false for one bound to its device (a security key, <c>hwk</c>).
/// </summary>
public sealed record PasskeyFactorResponse(string Id, string Name, bool BackupEligible, bool BackedUp, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A user's second factors (never their secrets), the recovery codes left, and the end of a lockout if any.</summary>
public sealed record UserFactorsResponse(TotpFactorResponse? Totp, IReadOnlyList<PasskeyFactorResponse> Passkeys, int RecoveryCodesLeft, DateTimeOffset? LockedUntil);
