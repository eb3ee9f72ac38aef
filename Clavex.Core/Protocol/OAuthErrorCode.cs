namespace Clavex.Core.Protocol;

/// <summary>
/// Error codes of RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, OIDC Core §3.1.2.6 and OpenID Connect
/// Unmet Authentication Requirements 1.0.
/// <see cref="OAuthErrorCodes.GetName"/> gives the exact wire string.
/// </summary>
public enum OAuthErrorCode
{
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
    InteractionRequired,
    LoginRequired,
    AccountSelectionRequired,
    ConsentRequired,
    RequestNotSupported,
    RequestUriNotSupported,
    InvalidToken,
    InsufficientScope,
    UnsupportedTokenType,

    /// <summary>The requested authentication (an <c>acr</c>, a second factor) cannot be performed for this user.</summary>
    UnmetAuthenticationRequirements,
}

public static class OAuthErrorCodes
{
    public static string GetName(OAuthErrorCode code) => code switch
    {
        OAuthErrorCode.InvalidRequest => "invalid_request",
        OAuthErrorCode.InvalidClient => "invalid_client",
        OAuthErrorCode.InvalidGrant => "invalid_grant",
        OAuthErrorCode.UnauthorizedClient => "unauthorized_client",
        OAuthErrorCode.UnsupportedGrantType => "unsupported_grant_type",
        OAuthErrorCode.UnsupportedResponseType => "unsupported_response_type",
        OAuthErrorCode.InvalidScope => "invalid_scope",
        OAuthErrorCode.AccessDenied => "access_denied",
        OAuthErrorCode.ServerError => "server_error",
        OAuthErrorCode.TemporarilyUnavailable => "temporarily_unavailable",
        OAuthErrorCode.InteractionRequired => "interaction_required",
        OAuthErrorCode.LoginRequired => "login_required",
        OAuthErrorCode.AccountSelectionRequired => "account_selection_required",
        OAuthErrorCode.ConsentRequired => "consent_required",
        OAuthErrorCode.RequestNotSupported => "request_not_supported",
        OAuthErrorCode.RequestUriNotSupported => "request_uri_not_supported",
        OAuthErrorCode.InvalidToken => "invalid_token",
        OAuthErrorCode.InsufficientScope => "insufficient_scope",
        OAuthErrorCode.UnsupportedTokenType => "unsupported_token_type",
        OAuthErrorCode.UnmetAuthenticationRequirements => "unmet_authentication_requirements",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}
