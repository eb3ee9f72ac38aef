using System.Text.Json;

namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations/{org}/clients for the OpenAPI document; ClientMetadata reads and ClientJson
// writes the JSON itself.

/// <summary>Seconds.</summary>
public sealed record TokenLifetimesSchema(long AccessToken, long IdToken, long AuthorizationCode, long RefreshTokenSliding, long RefreshTokenAbsolute);

public sealed record ExtraClaimSchema(string Name, string? Value = null, string? FromAttribute = null, string? Scope = null);

/// <summary>In a request every member is optional; an answer has all but group_allow_list and group_prefix.</summary>
public sealed record ClaimMappingSchema(
    string? PreferredUsernameSource = null, string? GroupsClaimName = null, IReadOnlyList<string>? GroupAllowList = null, string? GroupPrefix = null,
    IReadOnlyDictionary<string, string>? GroupRenames = null, IReadOnlyList<string>? UserinfoOnlyClaims = null, IReadOnlyList<ExtraClaimSchema>? ExtraClaims = null);

/// <summary>Seconds; in a request each is optional.</summary>
public sealed record TokenLifetimesRequest(
    long? AccessToken = null, long? IdToken = null, long? AuthorizationCode = null, long? RefreshTokenSliding = null, long? RefreshTokenAbsolute = null);

/// <summary>
/// Registration (RFC 7591 names where there are some); as a PATCH body, a JSON Merge Patch (RFC 7396) of the same
/// members, where null restores a default.
/// </summary>
public sealed record ClientRequest(
    string? ClientId = null, string? ClientName = null, string? ClientUri = null, bool? Enabled = null, string? ApplicationType = null, IReadOnlyList<string>? RedirectUris = null,
    IReadOnlyList<string>? PostLogoutRedirectUris = null, IReadOnlyList<string>? GrantTypes = null, IReadOnlyList<string>? Scopes = null,
    string? TokenEndpointAuthMethod = null, JsonElement? Jwks = null, bool? RequirePkce = null, bool? AllowPlainPkce = null, bool? RequireConsent = null,
    bool? AlwaysIssueRefreshToken = null, TokenLifetimesRequest? TokenLifetimes = null, ClaimMappingSchema? ClaimMapping = null,
    string? IdTokenSignedResponseAlg = null, bool? RequireMfa = null, IReadOnlyList<string>? DefaultAcrValues = null);

/// <summary>
/// A client; client_name, client_uri (its home page, linked from the signed-out page) and jwks are absent when not set. id_token_signed_response_alg (RS256, PS256 or ES256) is null
/// when the client does not pin its ID token algorithm; a pin must equal the organisation's signing_algorithm.
/// require_mfa: every sign-in to the client needs a second factor. default_acr_values: the acr_values assumed when a
/// request sends none (urn:clavex:acr:pwd, urn:clavex:acr:mfa).
/// </summary>
public sealed record ClientResponse(
    string ClientId, bool Enabled, string ApplicationType, IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris, IReadOnlyList<string> GrantTypes, IReadOnlyList<string> Scopes,
    string TokenEndpointAuthMethod, bool RequirePkce, bool AllowPlainPkce, bool RequireConsent,
    bool AlwaysIssueRefreshToken, TokenLifetimesSchema TokenLifetimes, ClaimMappingSchema ClaimMapping, bool RequireMfa, IReadOnlyList<string> DefaultAcrValues,
    string? ClientName = null, string? ClientUri = null, JsonElement? Jwks = null, string? IdTokenSignedResponseAlg = null);

/// <summary>A registration's answer: the client, and its secret shown this once (absent for none and private_key_jwt).</summary>
public sealed record ClientCreatedResponse(
    string ClientId, bool Enabled, string ApplicationType, IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris, IReadOnlyList<string> GrantTypes, IReadOnlyList<string> Scopes,
    string TokenEndpointAuthMethod, bool RequirePkce, bool AllowPlainPkce, bool RequireConsent,
    bool AlwaysIssueRefreshToken, TokenLifetimesSchema TokenLifetimes, ClaimMappingSchema ClaimMapping, bool RequireMfa, IReadOnlyList<string> DefaultAcrValues,
    string? ClientName = null, string? ClientUri = null, JsonElement? Jwks = null, string? IdTokenSignedResponseAlg = null, string? ClientSecret = null, long? ClientSecretExpiresAt = null);

public sealed record ClientListResponse(IReadOnlyList<ClientResponse> Clients);

/// <summary>Optional body of a rotation: how long the previous secrets keep working (0 to 2592000 s, 86400 by default).</summary>
public sealed record SecretRotationRequest(long? PreviousSecretExpiresIn = null);

/// <summary>The new secret, shown this once.</summary>
public sealed record SecretCreatedResponse(string Id, string ClientSecret, DateTimeOffset CreatedAt, DateTimeOffset PreviousSecretsExpireAt);

public sealed record SecretResponse(string Id, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt);

public sealed record SecretListResponse(IReadOnlyList<SecretResponse> Secrets);
