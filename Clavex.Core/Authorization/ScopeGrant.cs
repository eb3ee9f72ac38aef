using Clavex.Core.Clients;
using Clavex.Core.Protocol;

namespace Clavex.Core.Authorization;

/// <summary>Which requested scopes a client may be granted.</summary>
public static class ScopeGrant
{
    public static bool MayGrant(Client client, string scope)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.AllowsScope(scope))
        {
            return true;
        }

        // A client registered for the refresh_token grant may get offline_access without listing it: the admin
        // guide's client lists refresh_token among its grants but not offline_access among its scopes.
        return scope == Scopes.OfflineAccess && client.HasGrantType(GrantTypes.RefreshToken);
    }

    /// <summary>OIDC Core §11: a refresh token for offline_access, or always when the client is configured so.</summary>
    public static bool IssuesRefreshToken(Client client, IReadOnlyList<string> grantedScopes)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.HasGrantType(GrantTypes.RefreshToken)
            && (client.AlwaysIssueRefreshToken || ScopeList.Contains(grantedScopes, Scopes.OfflineAccess));
    }
}
