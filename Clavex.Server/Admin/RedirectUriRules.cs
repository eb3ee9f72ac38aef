namespace Clavex.Server.Admin;

/// <summary>What a registered redirect URI may be (RFC 6749 §3.1.2, RFC 8252 §7, OAuth 2.0 Security BCP §4.1).</summary>
internal static class RedirectUriRules
{
    /// <summary>Why <paramref name="value"/> cannot be registered, or null when it can.</summary>
    public static string? Problem(string value, bool native)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || value.StartsWith('/'))
        {
            return "is not an absolute URI (RFC 6749 §3.1.2)";
        }

        if (value.Contains('#', StringComparison.Ordinal))
        {
            return "has a fragment, which RFC 6749 §3.1.2 forbids";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return uri.Host.Length == 0 ? "has no host" : null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            // RFC 8252 §7.3 and the Security BCP §2.1: plain http only where it never leaves the machine.
            return uri.IsLoopback ? null : "uses http on a host that is not loopback; use https";
        }

        if (uri.Scheme is "javascript" or "data" or "file" or "vbscript" or "about" or "blob")
        {
            return $"uses the scheme '{uri.Scheme}', which can never be a redirect target";
        }

        // RFC 8252 §7.1: private-use schemes belong to native apps.
        return native ? null : $"uses the custom scheme '{uri.Scheme}', which only native clients (application_type \"native\") may register";
    }
}
