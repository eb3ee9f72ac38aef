using System.Text.Json;
using Clavex.Core.Protocol;
using Clavex.Server.Storage;

namespace Clavex.Server.Admin;

/// <summary>What every admin endpoint shares: reading the JSON body and the organisation of the route.</summary>
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

            if (FindUnstorableText(document.RootElement, string.Empty) is string path)
            {
                document.Dispose();
                return (null, new AdminError(AdminError.InvalidRequest,
                    $"{(path.Length == 0 ? "A member name" : path)} contains U+0000 or an unpaired surrogate (\\u0000, a lone \\ud800…\\udfff), which cannot be stored."));
            }

            return (document, null);
        }
        catch (JsonException e)
        {
            // The reader's message names the line and byte of the problem, never anything secret.
            return (null, new AdminError(AdminError.InvalidRequest, $"The request body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>
    /// The JSON path of the first member name or string value PostgreSQL could not store (U+0000, which text and jsonb
    /// refuse) or .NET could not read (an escaped lone surrogate), so such a body is a 400 naming it, never a 500 later.
    /// </summary>
    private static string? FindUnstorableText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path;
                    }

                    if (!IsStorable(name))
                    {
                        return path;
                    }

                    if (FindUnstorableText(property.Value, path.Length == 0 ? name : path + "." + name) is string found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (FindUnstorableText(item, $"{path}[{index++}]") is string found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.String:
                try
                {
                    return IsStorable(element.GetString()!) ? null : path;
                }
                catch (InvalidOperationException)
                {
                    return path;
                }

            default:
                return null;
        }
    }

    private static bool IsStorable(string text) => Storage.StorableText.IsStorable(text);

    // application/json, or a structured +json type such as RFC 7396's application/merge-patch+json.
    private static bool IsJson(string? contentType)
    {
        string mediaType = (contentType ?? string.Empty).Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static readonly object OrganizationKey = new();

    /// <summary>
    /// Resolves the route's <c>{org}</c> for every endpoint under <c>/organizations/{org}</c>, once, before the handler
    /// runs (<see cref="AdminApi"/>'s filter): read from the database, not the protocol endpoints' short-lived cache,
    /// since an admin change must act on the current row. Null when the handler may run (<see cref="OrganizationOf"/>
    /// then returns it), else the 404.
    /// </summary>
    public static async Task<AdminError?> ResolveOrganizationAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string slug = context.GetRouteValue("org") as string ?? string.Empty;
        OrganizationRecord? record = slug.Length is > 0 and <= 63
            ? await context.RequestServices.GetRequiredService<PgOrganizationStore>().FindBySlugAsync(slug, context.RequestAborted)
            : null;
        if (record is null)
        {
            return AdminError.NotFound($"There is no organisation '{slug}'.");
        }

        AdminSettings settings = context.RequestServices.GetRequiredService<AdminSettings>();
        context.Items[OrganizationKey] = new Organization(record.Id, record.Slug, settings.IssuerFor(record.Slug)) { SignInPolicy = record.SignInPolicy };
        return null;
    }

    /// <summary>The organisation of a request under <c>/organizations/{org}</c>, resolved by <see cref="ResolveOrganizationAsync"/>.</summary>
    public static Organization OrganizationOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[OrganizationKey] as Organization
            ?? throw new InvalidOperationException("The organisation is resolved only for routes under /organizations/{org}.");
    }
}
