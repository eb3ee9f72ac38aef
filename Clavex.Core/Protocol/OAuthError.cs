namespace Clavex.Core.Protocol;

/// <summary>
/// A protocol error as returned to the client: an RFC error code and a public description. <see cref="Detail"/>
/// is for the audit log and operators only and never leaves the server.
/// </summary>
public sealed record OAuthError(OAuthErrorCode Code, string Description, string? Detail = null)
{
    public string ErrorName => OAuthErrorCodes.GetName(Code);

    public static OAuthError InvalidRequest(string description, string? detail = null) => new(OAuthErrorCode.InvalidRequest, description, detail);

    public static OAuthError InvalidClient(string description, string? detail = null) => new(OAuthErrorCode.InvalidClient, description, detail);

    public static OAuthError InvalidGrant(string description, string? detail = null) => new(OAuthErrorCode.InvalidGrant, description, detail);

    public static OAuthError UnauthorizedClient(string description, string? detail = null) => new(OAuthErrorCode.UnauthorizedClient, description, detail);

    public static OAuthError InvalidScope(string description, string? detail = null) => new(OAuthErrorCode.InvalidScope, description, detail);

    public static OAuthError InvalidToken(string description, string? detail = null) => new(OAuthErrorCode.InvalidToken, description, detail);

    public override string ToString() => Detail is null ? $"{ErrorName}: {Description}" : $"{ErrorName}: {Description} ({Detail})";
}
