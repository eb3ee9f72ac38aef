namespace Clavex.Core.Protocol;

/// <summary>Request and response parameter names (RFC 6749, RFC 7636, RFC 7009, RFC 7662, OIDC Core, RFC 9207).</summary>
public static class ParameterNames
{
    public const string ClientId = "client_id";
    public const string ClientSecret = "client_secret";
    public const string ClientAssertion = "client_assertion";
    public const string ClientAssertionType = "client_assertion_type";
    public const string ResponseType = "response_type";
    public const string ResponseMode = "response_mode";
    public const string RedirectUri = "redirect_uri";
    public const string Scope = "scope";
    public const string State = "state";
    public const string Nonce = "nonce";
    public const string Prompt = "prompt";
    public const string MaxAge = "max_age";
    public const string LoginHint = "login_hint";
    public const string AcrValues = "acr_values";
    public const string Display = "display";
    public const string UiLocales = "ui_locales";
    public const string ClaimsLocales = "claims_locales";
    public const string IdTokenHint = "id_token_hint";
    public const string PostLogoutRedirectUri = "post_logout_redirect_uri";
    public const string Claims = "claims";
    public const string Request = "request";
    public const string RequestUri = "request_uri";
    public const string CodeChallenge = "code_challenge";
    public const string CodeChallengeMethod = "code_challenge_method";
    public const string CodeVerifier = "code_verifier";
    public const string GrantType = "grant_type";
    public const string Code = "code";
    public const string RefreshToken = "refresh_token";
    public const string AccessToken = "access_token";
    public const string IdToken = "id_token";
    public const string TokenType = "token_type";
    public const string ExpiresIn = "expires_in";
    public const string Token = "token";
    public const string TokenTypeHint = "token_type_hint";
    public const string Error = "error";
    public const string ErrorDescription = "error_description";
    public const string Issuer = "iss";
}

public static class GrantTypes
{
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public const string ClientCredentials = "client_credentials";
}

public static class Scopes
{
    public const string OpenId = "openid";
    public const string Profile = "profile";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Address = "address";
    public const string Groups = "groups";
    public const string OfflineAccess = "offline_access";
}

public static class ResponseModes
{
    public const string Query = "query";
    public const string FormPost = "form_post";
}

public static class ClientAssertionTypes
{
    /// <summary>RFC 7523 §2.2.</summary>
    public const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
}
