namespace Clavex.Server.Http;

/// <summary>
/// Whether Clavex's cookies (session, antiforgery) carry <c>Secure</c>: always, except when the public base URL is
/// plain http on loopback (development), where a browser would never send them back.
/// </summary>
public sealed record CookieSecurity(bool Secure);
