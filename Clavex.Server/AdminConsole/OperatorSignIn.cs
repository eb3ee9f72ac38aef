using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Jose;
using Clavex.Server.Admin;
using Clavex.Server.Http;
using Clavex.Server.Login;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The operator's way into the console at <c>/admin</c>: whoever holds the admin token (<c>CLAVEX_ADMIN_TOKEN</c>)
/// pastes it once. The browser then holds a cookie that says so, for an hour: its expiry and an HMAC over it, keyed
/// from the deployment's antiforgery key and the admin token's hash, so every instance accepts it, nothing is kept
/// on the server, the token itself never reaches a cookie, and changing the admin token ends every operator session.
/// </summary>
public sealed class OperatorSignIn(AdminSettings settings, AntiforgeryKey antiforgery, CookieSecurity security, TimeProvider time)
{
    public const string CookieName = "clavex-operator";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly byte[] _key = DeriveKey(antiforgery, settings);
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(settings.AdminToken));

    /// <summary>The admin token every operator page calls the admin API with.</summary>
    public string AdminToken => settings.AdminToken;

    public bool IsSignedIn(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? cookie = context.Request.Cookies[CookieName];
        int dot = cookie?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0 || !long.TryParse(cookie![..dot], NumberStyles.None, CultureInfo.InvariantCulture, out long expires))
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(expires, mac);
        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        bool decoded = Base64UrlEncoding.TryDecode(cookie.AsSpan(dot + 1), presented, out int written) && written == presented.Length;
        return decoded && CryptographicOperations.FixedTimeEquals(mac, presented) && time.GetUtcNow().ToUnixTimeSeconds() < expires;
    }

    /// <summary>Checks the pasted token (hashed both sides, compared in constant time) and, when it is the admin token, sets the cookie.</summary>
    public bool TrySignIn(HttpContext context, string presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, _expected) || presented.Length == 0)
        {
            return false;
        }

        long expires = (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds();
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(expires, mac);
        context.Response.Cookies.Append(CookieName, expires.ToString(CultureInfo.InvariantCulture) + "." + Base64UrlEncoding.Encode(mac), Cookie(Lifetime));
        return true;
    }

    public void SignOut(HttpContext context) =>
        (context ?? throw new ArgumentNullException(nameof(context))).Response.Cookies.Delete(CookieName, Cookie(null));

    private void Sign(long expires, Span<byte> mac)
    {
        Span<byte> message = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(message, expires);
        HMACSHA256.HashData(_key, message, mac);
    }

    private static byte[] DeriveKey(AntiforgeryKey antiforgery, AdminSettings settings)
    {
        byte[] context = [.. "clavex-operator-session\0"u8, .. SHA256.HashData(Encoding.UTF8.GetBytes(settings.AdminToken))];
        return HMACSHA256.HashData(antiforgery.Value, context);
    }

    private CookieOptions Cookie(TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Secure = security.Secure,
        // Strict: nothing on another site starts an operator page with this cookie; the sign-in is a form on this one.
        SameSite = SameSiteMode.Strict,
        Path = OperatorPages.Base,
        MaxAge = maxAge,
        IsEssential = true,
    };
}
