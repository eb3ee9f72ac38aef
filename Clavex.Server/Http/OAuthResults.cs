using System.Text.Json;
using Clavex.Core.Protocol;

namespace Clavex.Server.Http;

/// <summary>
/// Writes protocol errors in one place: RFC 6749 §5.2 JSON with no-store, 401 with <c>WWW-Authenticate</c> for a failed
/// Basic authentication, RFC 6750 §3 challenges for bearer-token endpoints. Every <c>{error, error_description}</c>
/// body of the server, the admin API's included, comes from <see cref="ErrorBody(string, string, JsonWriterOptions)"/>. Only the public
/// description is written; <see cref="OAuthError.Detail"/> stays for the audit log.
/// </summary>
public static class OAuthResults
{
    public static IResult Json(byte[] utf8Json, int statusCode = StatusCodes.Status200OK) =>
        new NoStoreJsonResult(utf8Json, statusCode, null);

    /// <summary>
    /// <paramref name="basicAttempted"/> is what the host parsed from the <c>Authorization</c> header, never a
    /// round trip through the core.
    /// </summary>
    public static IResult Error(OAuthError error, bool basicAttempted = false, int statusCode = StatusCodes.Status400BadRequest)
    {
        ArgumentNullException.ThrowIfNull(error);
        int status = statusCode;
        string? challenge = null;
        if (error.Code == OAuthErrorCode.InvalidClient)
        {
            // RFC 6749 §5.2: 401 and a challenge when the client tried HTTP Basic; 401 is also what clients expect otherwise.
            status = StatusCodes.Status401Unauthorized;
            challenge = basicAttempted ? "Basic realm=\"clavex\", charset=\"UTF-8\"" : null;
        }

        return new NoStoreJsonResult(ErrorBody(error), status, challenge);
    }

    /// <summary>RFC 6750 §3: the challenge carries the error; without a token there is no error attribute (§3.1).</summary>
    public static IResult BearerError(OAuthError? error, int statusCode)
    {
        string challenge = error is null
            ? "Bearer realm=\"clavex\""
            : $"Bearer realm=\"clavex\", error=\"{error.ErrorName}\", error_description=\"{error.Description.Replace("\"", "'", StringComparison.Ordinal)}\"";
        return new NoStoreJsonResult(error is null ? null : ErrorBody(error), statusCode, challenge);
    }

    public static byte[] ErrorBody(OAuthError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ErrorBody(error.ErrorName, error.Description);
    }

    /// <summary>
    /// RFC 6749 §5.2 <c>{"error": …, "error_description": …}</c>; also for the admin API's RFC 7591 codes, which pass
    /// their own <paramref name="options"/> (the admin API writes quotes and non-ASCII letters as they are).
    /// </summary>
    public static byte[] ErrorBody(string error, string description, JsonWriterOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(description);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, options))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, error);
            writer.WriteString("error_description"u8, description);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private sealed class NoStoreJsonResult(byte[]? body, int statusCode, string? challenge) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            HttpResponse response = httpContext.Response;
            response.StatusCode = statusCode;
            // RFC 6749 §5.1: token responses (and their errors) must not be cached.
            response.Headers.CacheControl = "no-store";
            response.Headers.Pragma = "no-cache";
            if (challenge is not null)
            {
                response.Headers.WWWAuthenticate = challenge;
            }

            if (body is not null)
            {
                response.ContentType = "application/json; charset=utf-8";
                response.ContentLength = body.Length;
                await response.Body.WriteAsync(body, httpContext.RequestAborted);
            }
        }
    }
}
