using Clavex.Core.Protocol;

namespace Clavex.Core.Authorization;

/// <summary>
/// An authorization request that must not be redirected anywhere, because the client or the redirect URI could not
/// be trusted (RFC 6749 §4.1.2.1). The host shows <see cref="Message"/> to the user on an error page; it names the
/// rejected value and the client so an admin can act on it.
/// </summary>
public sealed record AuthorizationRejection(OAuthError Error, string Message, string? ClientId, string? RedirectUri);
