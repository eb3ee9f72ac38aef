namespace Clavex.Core.Claims;

/// <summary>
/// Where each claim of a token comes from, and what a client's group rules do to a user's groups, in words an
/// administrator reads: the sign-in debugger and the claim-mapping preview. Not the hot path: these mirror
/// <see cref="UserClaimsWriter"/> and <see cref="GroupsClaim"/> (and share the group filter with the latter), for display.
/// </summary>
public static class ClaimSources
{
    /// <summary>The source of <paramref name="claim"/> in a token written with <paramref name="mapping"/>.</summary>
    public static string Describe(string claim, ClaimMapping mapping, bool accessToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(mapping);
        if (string.Equals(claim, mapping.GroupsClaimName, StringComparison.Ordinal))
        {
            return "scope groups: the user's groups after this client's group rules";
        }

        for (int i = 0; i < mapping.ExtraClaims.Count; i++)
        {
            ExtraClaim extra = mapping.ExtraClaims[i];
            if (string.Equals(extra.Name, claim, StringComparison.Ordinal))
            {
                string when = extra.Scope is null ? string.Empty : $", with scope {extra.Scope}";
                return extra.FromAttribute is not null
                    ? $"extra claim: the user's attribute '{extra.FromAttribute}'{(extra.StaticValue is null ? string.Empty : " (else a static value)")}{when}"
                    : $"extra claim: a static value{when}";
            }
        }

        return claim switch
        {
            "iss" => "protocol: the organisation's issuer",
            "sub" => "protocol: the user's subject (never changes, unlike the username)",
            "aud" => accessToken ? "protocol: the issuer (RFC 9068)" : "protocol: the client ID",
            "azp" => "protocol: the client the token was issued to",
            "exp" or "iat" or "nbf" or "auth_time" => "protocol: time (seconds since 1970)",
            "nonce" => "protocol: the nonce of the authorization request",
            "sid" => "protocol: the session (for logout)",
            "acr" or "amr" => "protocol: how the user authenticated",
            "jti" => "protocol: the token's unique id",
            "client_id" => "protocol: the client (RFC 9068)",
            "scope" => "protocol: the granted scopes (RFC 9068)",
            "at_hash" => "protocol: binds the ID token to the access token",
            "grant_id" or "gid" => "protocol: the grant, for revocation",
            "preferred_username" => mapping.PreferredUsernameSource == PreferredUsernameSource.Email
                ? "scope profile: the user's email (this client's preferred_username source)"
                : "scope profile: the user's username",
            "name" or "given_name" or "family_name" or "middle_name" or "nickname" or "picture" or "website" or "locale" or "zoneinfo" or "updated_at" =>
                "scope profile: the user's " + claim,
            "email" or "email_verified" => "scope email: the user's " + claim,
            "phone_number" or "phone_number_verified" => "scope phone: the user's " + claim,
            "address" => "scope address: the user's address",
            _ => "protocol",
        };
    }

    /// <summary>What the client's group rules do to each of the user's groups, in the user's order.</summary>
    public static IReadOnlyList<GroupOutcome> ExplainGroups(IReadOnlyList<string> groups, ClaimMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(mapping);
        var outcomes = new List<GroupOutcome>(groups.Count);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (string group in groups)
        {
            if (string.IsNullOrEmpty(group))
            {
                continue;
            }

            if (mapping.GroupAllowList is { } allow && !OrdinalList.Contains(allow, group))
            {
                outcomes.Add(new GroupOutcome(group, null, GroupDrop.NotInAllowList));
                continue;
            }

            if (!GroupsClaim.IsVisible(group, mapping))
            {
                outcomes.Add(new GroupOutcome(group, null, GroupDrop.PrefixMismatch));
                continue;
            }

            string name = mapping.GroupRenames.TryGetValue(group, out string? renamed) ? renamed : group;
            outcomes.Add(string.IsNullOrEmpty(name) || !written.Add(name)
                ? new GroupOutcome(group, null, GroupDrop.DuplicateAfterRename)
                : new GroupOutcome(group, name, null));
        }

        return outcomes;
    }

    /// <summary>The names the groups claim lists for these groups under <paramref name="mapping"/>.</summary>
    public static IReadOnlyList<string> GroupsClaimValues(IReadOnlyList<string> groups, ClaimMapping mapping)
    {
        var names = new List<string>();
        foreach (GroupOutcome outcome in ExplainGroups(groups, mapping))
        {
            if (outcome.Name is string name)
            {
                names.Add(name);
            }
        }

        return names;
    }
}

/// <summary>One of the user's groups: the name the token lists it by, or why it is left out.</summary>
public sealed record GroupOutcome(string Group, string? Name, GroupDrop? Dropped)
{
    public bool IsRenamed => Name is not null && !string.Equals(Name, Group, StringComparison.Ordinal);

    public string Explanation => Dropped switch
    {
        GroupDrop.NotInAllowList => "left out: not in the client's group allow list",
        GroupDrop.PrefixMismatch => "left out: does not start with the client's group prefix",
        GroupDrop.DuplicateAfterRename => "left out: renamed onto a name already listed",
        _ => IsRenamed ? $"renamed to {Name}" : "listed as is",
    };
}

public enum GroupDrop
{
    NotInAllowList,
    PrefixMismatch,
    DuplicateAfterRename,
}
