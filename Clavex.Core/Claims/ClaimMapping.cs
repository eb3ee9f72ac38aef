using System.Collections.ObjectModel;

namespace Clavex.Core.Claims;

/// <summary>
/// Per-client shaping of claims, because Atlassian plugins and proxies are configured by claim name and read
/// different places: which claims the ID token carries, where <c>preferred_username</c> comes from, which groups
/// a client sees and under which names, and extra claims.
/// </summary>
public sealed record ClaimMapping
{
    public static readonly ClaimMapping Default = new();

    public PreferredUsernameSource PreferredUsernameSource { get; init; } = PreferredUsernameSource.Username;

    /// <summary>
    /// The name of the groups claim. Identity-aware proxies may expect a namespaced name such as
    /// <c>https://app.hoop.dev/groups</c>.
    /// </summary>
    public string GroupsClaimName { get; init; } = "groups";

    /// <summary>When set, only these groups (after no renaming, by their Clavex names) reach the client.</summary>
    public IReadOnlyList<string>? GroupAllowList { get; init; }

    /// <summary>When set, only groups whose Clavex name starts with this prefix reach the client.</summary>
    public string? GroupPrefix { get; init; }

    /// <summary>Clavex group name → the name the client expects.</summary>
    public IReadOnlyDictionary<string, string> GroupRenames { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// Claim names delivered only at userinfo, never in the ID token. Empty by default: plugins that read only the
    /// ID token (Atlassian's just-in-time provisioning) must find everything there.
    /// </summary>
    public IReadOnlyList<string> UserinfoOnlyClaims { get; init; } = [];

    public IReadOnlyList<ExtraClaim> ExtraClaims { get; init; } = [];
}

public enum PreferredUsernameSource
{
    Username,
    Email,
}

/// <summary>
/// A claim added for one client: a static value, or the value of a user attribute (omitted when the user has
/// none). <see cref="Scope"/>, when set, limits it to requests granted that scope.
/// </summary>
public sealed record ExtraClaim(string Name, string? StaticValue = null, string? FromAttribute = null, string? Scope = null);
