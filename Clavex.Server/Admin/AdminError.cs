namespace Clavex.Server.Admin;

/// <summary>A refused admin request: the <c>error</c> code, a description naming the field and why, and the status.</summary>
public sealed record AdminError(string Code, string Description, int StatusCode = StatusCodes.Status400BadRequest)
{
    /// <summary>RFC 7591 §3.2.2: a metadata field is invalid.</summary>
    public const string InvalidClientMetadata = "invalid_client_metadata";

    /// <summary>RFC 7591 §3.2.2: a redirect URI is invalid.</summary>
    public const string InvalidRedirectUri = "invalid_redirect_uri";

    public const string InvalidRequest = "invalid_request";

    public static AdminError NotFound(string description) => new("not_found", description, StatusCodes.Status404NotFound);

    public static AdminError Conflict(string description) => new("conflict", description, StatusCodes.Status409Conflict);
}
