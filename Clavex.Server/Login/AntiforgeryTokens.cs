using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;

namespace Clavex.Server.Login;

/// <summary>
/// Our forms' guard against cross-site posts: a random token in an HttpOnly, SameSite=Strict cookie, repeated in a
/// hidden form field; a POST counts only when both arrive and are equal. Another site can make the browser send the
/// cookie (it cannot with SameSite=Strict, but older browsers ignore that) yet cannot read it to fill the field.
/// The <c>__Host-</c> prefix makes browsers refuse the cookie unless it is Secure, host-only and Path=/, so a
/// sibling subdomain cannot plant its own value.
/// </summary>
public static class AntiforgeryTokens
{
    public const string SecureCookieName = "__Host-clavex-af";

    /// <summary>For plain-HTTP development only: browsers refuse <c>__Host-</c> cookies without Secure.</summary>
    public const string PlainCookieName = "clavex-af";

    public const string FormFieldName = "clavex_af";

    /// <summary>Base64url of <see cref="OpaqueToken.SecretBytes"/> random bytes.</summary>
    public const int TokenLength = 43;

    private const string HostPrefix = "__Host-";

    public static string CookieName(bool overHttps) => overHttps ? SecureCookieName : PlainCookieName;

    public static string NewToken() => OpaqueToken.New(OpaqueToken.SecretBytes);

    /// <summary>
    /// The browser's current token when it sent a well-formed one, else a new one, so re-rendering a form (after a
    /// wrong password, say) does not invalidate another tab's. A SameSite=Strict cookie is not sent on the cross-site
    /// navigation that arrives from a client's redirect, so that request always gets a new token.
    /// </summary>
    public static string CurrentOrNew(string? cookieValue) => IsWellFormed(cookieValue) ? cookieValue! : NewToken();

    /// <summary>The <c>Set-Cookie</c> value: a session cookie for the whole host, never readable by script.</summary>
    public static string SetCookieHeader(string cookieName, string token, bool secure)
    {
        ArgumentException.ThrowIfNullOrEmpty(cookieName);
        if (cookieName.StartsWith(HostPrefix, StringComparison.Ordinal) && !secure)
        {
            throw new ArgumentException("Browsers drop __Host- cookies that are not Secure.", nameof(secure));
        }

        if (!IsWellFormed(token))
        {
            throw new ArgumentException("Not a token from NewToken.", nameof(token));
        }

        return secure
            ? $"{cookieName}={token}; Path=/; Secure; HttpOnly; SameSite=Strict"
            : $"{cookieName}={token}; Path=/; HttpOnly; SameSite=Strict";
    }

    /// <summary>
    /// Both present, both of the shape <see cref="NewToken"/> makes, and equal; compared in constant time so the
    /// response time says nothing about how much of a guess was right.
    /// </summary>
    public static bool Validate(string? cookieValue, string? formValue)
    {
        if (!IsWellFormed(cookieValue) || !IsWellFormed(formValue))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(cookieValue.AsSpan()),
            MemoryMarshal.AsBytes(formValue.AsSpan()));
    }

    private static bool IsWellFormed(string? token)
    {
        Span<byte> decoded = stackalloc byte[OpaqueToken.SecretBytes];
        return token is { Length: TokenLength }
            && Base64UrlEncoding.TryDecode(token, decoded, out int written)
            && written == OpaqueToken.SecretBytes;
    }
}
