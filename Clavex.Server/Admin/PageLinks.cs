using System.Net;

namespace Clavex.Server.Admin;

/// <summary>
/// Addresses the end-user pages link to or load from: an organisation's <c>logo_uri</c> and a client's
/// <c>client_uri</c>. Both end up in a page's markup and the logo's origin in its Content-Security-Policy, so they
/// are held to what can go there safely; and an accent colour white button text stays readable on.
/// </summary>
internal static class PageLinks
{
    public const int MaxLength = 2000;

    /// <summary>
    /// Null when <paramref name="uri"/> is an absolute https URL (http only on a loopback host, for trials) without
    /// user information or fragment, and without the characters that would end a CSP source or an HTML attribute;
    /// else what is wrong, to follow the field's name.
    /// </summary>
    public static string? Problem(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        foreach (char c in uri)
        {
            if (c <= ' ' || c is ';' or ',' or '"' or '\'' or '<' or '>' or '\\' || c > '~')
            {
                return "must be a URL in plain ASCII without spaces, quotes, ';', ',', '<', '>' or '\\' (percent-encode them)";
            }
        }

        if (!Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute https URL";
        }

        if (parsed.Scheme == Uri.UriSchemeHttp && !IsLoopback(parsed))
        {
            return "must use https (http only on a loopback host such as 127.0.0.1 or localhost)";
        }

        if (parsed.UserInfo.Length > 0 || uri.Contains('#', StringComparison.Ordinal))
        {
            return "must not contain user information or a fragment";
        }

        return null;
    }

    /// <summary>
    /// Null when <paramref name="color"/> is <c>#rrggbb</c> (lowercase hex) with a contrast ratio of at least 4.5:1
    /// against white (WCAG 2.2 §1.4.3, for the white text on buttons); else what is wrong.
    /// </summary>
    public static string? ColorProblem(string color)
    {
        ArgumentNullException.ThrowIfNull(color);
        if (color.Length != 7 || color[0] != '#' || !color.AsSpan(1).ContainsOnlyLowercaseHex())
        {
            return "must be a colour written #rrggbb in lowercase hexadecimal, e.g. #0b5394";
        }

        double ratio = 1.05 / (RelativeLuminance(color) + 0.05);
        return ratio >= 4.5
            ? null
            : $"has a contrast ratio of {ratio:0.##}:1 against the white text of buttons; choose a darker colour (WCAG AA needs 4.5:1)";
    }

    /// <summary>WCAG 2.2's relative luminance of an sRGB colour.</summary>
    private static double RelativeLuminance(string color)
    {
        double Channel(int offset)
        {
            double c = Convert.ToInt32(color.Substring(offset, 2), 16) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return (0.2126 * Channel(1)) + (0.7152 * Channel(3)) + (0.0722 * Channel(5));
    }

    private static bool ContainsOnlyLowercaseHex(this ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out IPAddress? address) && IPAddress.IsLoopback(address));
}
