using System.Text.Json;
using Clavex.Core.Protocol;
using Clavex.Server.Hosting;
using Clavex.Server.Storage;

namespace Clavex.Server.Admin;

/// <summary>What every admin endpoint shares: reading the JSON body and resolving <c>{org}</c> without the protocol's cache.</summary>
internal static class AdminRequest
{
    /// <summary>The body as a JSON document, or the 400 that explains why it is not one.</summary>
    public static async Task<(JsonDocument? Document, AdminError? Error)> ReadJsonAsync(HttpRequest request, bool optional = false)
    {
        if (optional && request.ContentLength is 0 or null && request.Headers.TransferEncoding.Count == 0)
        {
            return (null, null);
        }

        if (!IsJson(request.ContentType))
        {
            return (null, new AdminError(AdminError.InvalidRequest, "The request body must be JSON (Content-Type: application/json or application/merge-patch+json)."));
        }

        try
        {
            JsonDocument document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                // Every body of this API is an object; saying so here spares each endpoint the check.
                document.Dispose();
                return (null, new AdminError(AdminError.InvalidRequest, "The request body must be a JSON object."));
            }

            return (document, null);
        }
        catch (JsonException e)
        {
            // The reader's message names the line and byte of the problem, never anything secret.
            return (null, new AdminError(AdminError.InvalidRequest, $"The request body is not valid JSON: {e.Message}"));
        }
    }

    // application/json, or a structured +json type such as RFC 7396's application/merge-patch+json.
    private static bool IsJson(string? contentType)
    {
        string mediaType = (contentType ?? string.Empty).Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The organisation read from the database on every admin request: an admin change must act on the current
    /// row, not the protocol endpoints' short-lived cache.
    /// </summary>
    public static async Task<(Organization? Organization, AdminError? Error)> FindOrganizationAsync(
        HttpContext context, PgOrganizationStore organizations, ClavexSettings settings, string slug)
    {
        OrganizationRecord? record = slug.Length is > 0 and <= 63
            ? await organizations.FindBySlugAsync(slug, context.RequestAborted)
            : null;
        return record is null
            ? (null, AdminError.NotFound($"There is no organisation '{slug}'."))
            : (new Organization(record.Id, record.Slug, settings.IssuerFor(record.Slug)), null);
    }
}
