namespace Clavex.Server.Login;

/// <summary>
/// The response headers each page is sent with. The Content-Security-Policy allows exactly what the page uses: its
/// inline stylesheet and, on the form post page, its one script, both by hash; forms may go only where the page's
/// form goes; nothing may frame the page (clickjacking the Allow button) or change its base URI.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy = "Content-Security-Policy";
    public const string XContentTypeOptions = "X-Content-Type-Options";
    public const string ReferrerPolicy = "Referrer-Policy";
    public const string CacheControl = "Cache-Control";

    private const string Base = "default-src 'none'; ";
    private const string Tail = "; frame-ancestors 'none'; base-uri 'none'";

    private static readonly KeyValuePair<string, string>[] WithForm = Build("form-action 'self'");
    private static readonly KeyValuePair<string, string>[] WithoutForm = Build("form-action 'none'");

    public static IReadOnlyList<KeyValuePair<string, string>> For(PageKind kind) => kind switch
    {
        PageKind.Login or PageKind.Consent or PageKind.LogoutConfirm or PageKind.SecondFactor or PageKind.Enrolment or PageKind.RecoveryCodes or PageKind.Account => WithForm,
        PageKind.LoggedOut or PageKind.Error => WithoutForm,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// A page whose form ends in a redirect to the client (login, consent, logout confirmation). Browsers apply
    /// <c>form-action</c> to the redirect that answers the POST as well (CSP Level 3), so the client's origin must be
    /// allowed next to 'self', or the user is left on the page after signing in.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(PageKind kind, string? redirectUri) =>
        redirectUri is null || kind is PageKind.LoggedOut or PageKind.Error
            ? For(kind)
            : Build($"form-action 'self' {FormTargetOf(redirectUri)}");

    /// <summary>
    /// A page with a passkey form: as a page with a form, and the passkey script (<see cref="PasskeyScript"/>),
    /// the only script the server serves, allowed as 'self'.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> WithPasskeyScript(string? redirectUri) =>
        Build($"script-src 'self'; form-action 'self'{(redirectUri is null ? string.Empty : " " + FormTargetOf(redirectUri))}");

    /// <summary>
    /// The headers of a page drawn in <paramref name="frame"/>: as above, and where the organisation has a logo or an
    /// accent colour, the logo's origin as the only image source and the accent's style element by its hash.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(PageKind kind, string? redirectUri, PageFrame frame, bool passkeyScript = false)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!frame.HasBranding)
        {
            return passkeyScript ? WithPasskeyScript(redirectUri) : For(kind, redirectUri);
        }

        string formAction = kind is PageKind.LoggedOut or PageKind.Error ? "form-action 'none'"
            : redirectUri is null ? "form-action 'self'"
            : $"form-action 'self' {FormTargetOf(redirectUri)}";
        return Build(passkeyScript ? "script-src 'self'; " + formAction : formAction, frame);
    }

    /// <summary>For <see cref="Pages.FormPost"/>: its script's hash, and the redirect URI's origin as a form target.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ForFormPost(string redirectUri) =>
        Build($"script-src {InlineAssets.AutoSubmitScriptSource}; form-action 'self' {OriginOf(redirectUri)}");

    /// <summary>
    /// <c>scheme://host[:port]</c> as a CSP host-source: the host in its ASCII (IDNA) form, the port only when it is
    /// not the scheme's default. Anything but an absolute http(s) URI is a caller's bug.
    /// </summary>
    internal static string OriginOf(string redirectUri)
    {
        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("A form post goes to an absolute http or https redirect URI.", nameof(redirectUri));
        }

        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        return uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
    }

    /// <summary>The redirect URI as a CSP source: its origin for http(s), its scheme for a native app's custom scheme.</summary>
    internal static string FormTargetOf(string redirectUri)
    {
        if (Uri.TryCreate(redirectUri, UriKind.Absolute, out Uri? uri) && uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return uri.Scheme + ":";
        }

        return OriginOf(redirectUri);
    }

    private static KeyValuePair<string, string>[] Build(string directives, PageFrame? frame = null)
    {
        string styles = frame?.AccentColor is { } accent
            ? $"{InlineAssets.StylesheetSource} {InlineAssets.AccentStyleSource(accent)}"
            : InlineAssets.StylesheetSource;
        string images = frame?.LogoUri is { } logo ? $"img-src {OriginOf(logo)}; " : string.Empty;
        return
        [
            new(ContentSecurityPolicy, $"{Base}style-src {styles}; {images}{directives}{Tail}"),
            new(XContentTypeOptions, "nosniff"),
            new(ReferrerPolicy, "no-referrer"),
            new(CacheControl, "no-store"),
        ];
    }
}
