namespace Clavex.Core.Clients;

/// <summary>How a client authenticates at the token endpoint (OIDC Core §9, RFC 7591 §2).</summary>
public enum TokenEndpointAuthMethod
{
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,

    /// <summary>A public client: no credentials, PKCE mandatory.</summary>
    None,
}

public static class TokenEndpointAuthMethods
{
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";
    public const string None = "none";

    public static string GetName(TokenEndpointAuthMethod method) => method switch
    {
        TokenEndpointAuthMethod.ClientSecretBasic => ClientSecretBasic,
        TokenEndpointAuthMethod.ClientSecretPost => ClientSecretPost,
        TokenEndpointAuthMethod.PrivateKeyJwt => PrivateKeyJwt,
        TokenEndpointAuthMethod.None => None,
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    public static bool TryParse(string? name, out TokenEndpointAuthMethod method)
    {
        method = name switch
        {
            ClientSecretBasic => TokenEndpointAuthMethod.ClientSecretBasic,
            ClientSecretPost => TokenEndpointAuthMethod.ClientSecretPost,
            PrivateKeyJwt => TokenEndpointAuthMethod.PrivateKeyJwt,
            None => TokenEndpointAuthMethod.None,
            _ => (TokenEndpointAuthMethod)(-1),
        };
        return (int)method >= 0;
    }
}
