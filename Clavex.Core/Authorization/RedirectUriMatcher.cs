using Clavex.Core.Clients;

namespace Clavex.Core.Authorization;

/// <summary>Decides whether a redirect URI is one the client registered.</summary>
public static class RedirectUriMatcher
{
    /// <summary>
    /// Exact, case-sensitive string comparison (OIDC Core §3.1.2.1, RFC 9700 §4.1.3). The one exception is RFC 8252
    /// §7.3: for native clients, a loopback IP-literal redirect URI matches whatever the port.
    /// </summary>
    public static bool IsRegistered(Client client, string redirectUri)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(redirectUri);
        foreach (string registered in client.RedirectUris)
        {
            if (string.Equals(registered, redirectUri, StringComparison.Ordinal))
            {
                return true;
            }
        }

        if (!client.IsNative || !TryParseLoopback(redirectUri, out Uri? requested))
        {
            return false;
        }

        foreach (string registered in client.RedirectUris)
        {
            if (TryParseLoopback(registered, out Uri? candidate)
                && string.Equals(candidate.Host, requested.Host, StringComparison.Ordinal)
                && string.Equals(candidate.PathAndQuery, requested.PathAndQuery, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // RFC 8252 §7.3 and §8.3: http scheme, the literal 127.0.0.1 or [::1] (not "localhost"), no fragment or user info.
    private static bool TryParseLoopback(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out uri)
            || uri.Scheme != Uri.UriSchemeHttp
            || uri.UserInfo.Length > 0
            || uri.Fragment.Length > 0
            || uri.Host is not ("127.0.0.1" or "[::1]"))
        {
            uri = null;
            return false;
        }

        return true;
    }
}
