using System.Text.Encodings.Web;
using System.Text.Json;
using Clavex.Server.Http;

namespace Clavex.Server.Admin;

/// <summary>
/// The admin API's responses: JSON that is never cached (a response may carry a new client secret), 201 with
/// <c>Location</c>, and errors as <c>{error, error_description}</c> like the protocol endpoints.
/// </summary>
internal static class AdminResults
{
    // Served only as application/json, never into HTML, so '+', '&' and non-ASCII letters are written as they are
    // ("Jira + Confluence", "Åsa") and audit summaries stay readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Ok(Action<Utf8JsonWriter> write) => OAuthResults.Json(Write(write));

    public static IResult Created(string location, Action<Utf8JsonWriter> write) => new CreatedResult(location, Write(write));

    public static IResult NoContent() => Results.NoContent();

    public static IResult Error(AdminError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return OAuthResults.Json(OAuthResults.ErrorBody(error.Code, error.Description, WriterOptions), error.StatusCode);
    }

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private sealed class CreatedResult(string location, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return OAuthResults.Json(body, StatusCodes.Status201Created).ExecuteAsync(httpContext);
        }
    }
}
