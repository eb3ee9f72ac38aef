using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;

namespace Clavex.Server.Login;

/// <summary>
/// Our forms' guard against cross-site posts: a random token in an HttpOnly, SameSite=Strict cookie, repeated in a
/// hidden form field; a POST counts only when both arrive, are equal and carry the server's MAC. Another site can make
/// the browser send the cookie (it cannot with SameSite=Strict, but older browsers ignore that) yet cannot read it to
/// fill the field. The <c>__Host-</c> prefix makes browsers refuse the cookie unless it is Secure, host-only and
/// Path=/, so a sibling subdomain cannot plant its own value; and since a token is 32 random bytes followed by an
/// HMAC-SHA-256 of them under a key derived from the master key (OWASP's signed double-submit cookie), a pair the
/// server never issued is refused even where a cookie can be planted (plain-HTTP development, old browsers).
/// </summary>
public static class AntiforgeryTokens
{
    public const string SecureCookieName = "__Host-clavex-af";

    /// <summary>For plain-HTTP development only: browsers refuse <c>__Host-</c> cookies without Secure.</summary>
    public const string PlainCookieName = "clavex-af";

    public const string FormFieldName = "clavex_af";

    /// <summary>The HMAC key's length; <see cref="KeyFrom"/> derives one.</summary>
    public const int KeySize = 32;

    private const int MacBytes = 16;

    private const int TokenBytes = OpaqueToken.SecretBytes + MacBytes;

    /// <summary>Base64url of the random bytes and their truncated MAC.</summary>
    public const int TokenLength = 64;

    private const string HostPrefix = "__Host-";

    public static string CookieName(bool overHttps) => overHttps ? SecureCookieName : PlainCookieName;

    /// <summary>The tokens' HMAC key, derived from the master key (RFC 5869), so there is no second secret to keep.</summary>
    public static byte[] KeyFrom(byte[] masterKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, KeySize, info: "clavex antiforgery tokens"u8.ToArray());

    public static string NewToken(ReadOnlySpan<byte> key)
    {
        Span<byte> token = stackalloc byte[TokenBytes];
        RandomNumberGenerator.Fill(token[..OpaqueToken.SecretBytes]);
        Sign(key, token);
        return Base64UrlEncoding.Encode(token);
    }

    /// <summary>
    /// The browser's current token when it sent one this server issued, else a new one, so re-rendering a form (after a
    /// wrong password, say) does not invalidate another tab's. A SameSite=Strict cookie is not sent on the cross-site
    /// navigation that arrives from a client's redirect, so that request always gets a new token.
    /// </summary>
    public static string CurrentOrNew(ReadOnlySpan<byte> key, string? cookieValue) => IsIssued(key, cookieValue) ? cookieValue! : NewToken(key);

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
    /// Both present, the cookie's a token this server issued (its MAC verifies under <paramref name="key"/>), and equal;
    /// compared in constant time so the response time says nothing about how much of a guess was right.
    /// </summary>
    public static bool Validate(ReadOnlySpan<byte> key, string? cookieValue, string? formValue)
    {
        if (!IsIssued(key, cookieValue) || !IsWellFormed(formValue))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(cookieValue.AsSpan()),
            MemoryMarshal.AsBytes(formValue.AsSpan()));
    }

    private static bool IsIssued(ReadOnlySpan<byte> key, string? token)
    {
        Span<byte> decoded = stackalloc byte[TokenBytes];
        if (token is not { Length: TokenLength } || !Base64UrlEncoding.TryDecode(token, decoded, out int written) || written != TokenBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[TokenBytes];
        decoded[..OpaqueToken.SecretBytes].CopyTo(expected);
        Sign(key, expected);
        return CryptographicOperations.FixedTimeEquals(decoded[OpaqueToken.SecretBytes..], expected[OpaqueToken.SecretBytes..]);
    }

    // Writes the MAC of the token's random bytes after them.
    private static void Sign(ReadOnlySpan<byte> key, Span<byte> token)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"The antiforgery key must be {KeySize} bytes.", nameof(key));
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, token[..OpaqueToken.SecretBytes], mac);
        mac[..MacBytes].CopyTo(token[OpaqueToken.SecretBytes..]);
    }

    private static bool IsWellFormed(string? token)
    {
        Span<byte> decoded = stackalloc byte[TokenBytes];
        return token is { Length: TokenLength }
            && Base64UrlEncoding.TryDecode(token, decoded, out int written)
            && written == TokenBytes;
    }
}
