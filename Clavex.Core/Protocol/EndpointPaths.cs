namespace Clavex.Core.Protocol;

/// <summary>
/// Paths of the endpoints under an organisation's issuer. Discovery advertises <c>{issuer}{path}</c> and the
/// server maps the same constants, so the two cannot drift apart.
/// </summary>
public static class EndpointPaths
{
    /// <summary>OIDC Discovery §4: the configuration document lives at the issuer plus this path.</summary>
    public const string Discovery = "/.well-known/openid-configuration";

    public const string Authorize = "/authorize";
    public const string Token = "/token";
    public const string Userinfo = "/userinfo";
    public const string Jwks = "/jwks";
    public const string Revoke = "/revoke";
    public const string Introspect = "/introspect";
    public const string Logout = "/logout";
}
