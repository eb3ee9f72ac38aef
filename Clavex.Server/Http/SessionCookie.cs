using Clavex.Core.Protocol;

namespace Clavex.Server.Http;

/// <summary>
/// The browser's session cookie: a random secret, stored server-side only as its hash, scoped to the organisation's
/// path so organisations never share a session. HttpOnly, SameSite=Lax, Secure except for plain-http loopback dev.
/// </summary>
public sealed class SessionCookie(CookieSecurity security)
{
    public const string Name = "clavex_session";

    public string? Read(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? value = context.Request.Cookies[Name];
        return string.IsNullOrEmpty(value) || value.Length > 128 ? null : value;
    }

    public void Write(HttpContext context, Organization organization, string secret, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(Name, secret, Options(organization, expires));
    }

    public void Clear(HttpContext context, Organization organization)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Name, Options(organization, null));
    }

    private CookieOptions Options(Organization organization, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = security.Secure,
        // Lax: the cookie must come along on the top-level redirect from Jira to /authorize.
        SameSite = SameSiteMode.Lax,
        Path = "/" + organization.Slug + "/",
        Expires = expires,
        IsEssential = true,
    };
}
