using System.Text;
using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Clavex.Server.Http;

/// <summary>Turns HTTP requests into the core's <see cref="ProtocolParameters"/>, keeping repeats and order.</summary>
public static class ProtocolRequest
{
    public const string FormContentType = "application/x-www-form-urlencoded";

    /// <summary>More parameters than any protocol request has; a larger form is refused before it is all read.</summary>
    public const int MaxFormValues = 100;

    public static ProtocolParameters FromQuery(HttpRequest request)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<string, StringValues> item in request.Query)
        {
            foreach (string? value in item.Value)
            {
                pairs.Add(new(StorableText.Clean(item.Key)!, StorableText.Clean(value) ?? string.Empty));
            }
        }

        return new ProtocolParameters(pairs);
    }

    /// <summary>
    /// Reads an <c>application/x-www-form-urlencoded</c> body; null when the content type is anything else
    /// (RFC 6749 §3.2: the token endpoint takes only that media type). The body size is bounded by Kestrel's limit.
    /// </summary>
    public static async Task<ProtocolParameters?> FromFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsForm(request))
        {
            return null;
        }

        using var reader = new FormReader(request.Body, Encoding.UTF8)
        {
            KeyLengthLimit = 256,
            ValueLengthLimit = 16 * 1024,
        };
        var pairs = new List<KeyValuePair<string, string>>();
        while (await reader.ReadNextPairAsync(cancellationToken) is { } pair)
        {
            // FormReader checks ValueCountLimit only in ReadFormAsync, never pair by pair, so the count is ours to
            // enforce (issue 16); the same exception as its length limits, which ServerErrors answers with a 400.
            if (pairs.Count == MaxFormValues)
            {
                throw new InvalidDataException($"Form value count limit {MaxFormValues} exceeded.");
            }

            pairs.Add(new(StorableText.Clean(pair.Key)!, StorableText.Clean(pair.Value)!));
        }

        return new ProtocolParameters(pairs);
    }

    public static bool IsForm(HttpRequest request) =>
        request.ContentType is { } contentType
        && contentType.Split(';')[0].Trim().Equals(FormContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The Authorization header's Basic credentials: none, parsed, or present but malformed.</summary>
    public static BasicHeader ReadBasic(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }

        // A NUL can be URL-encoded into the id or secret; no client has one, and PostgreSQL could not look it up.
        return BasicCredentials.TryParse(header, out BasicCredentials? credentials)
            && !credentials.ClientId.Contains('\0', StringComparison.Ordinal) && !credentials.ClientSecret.Contains('\0', StringComparison.Ordinal)
            ? new BasicHeader(credentials, Malformed: false)
            : new BasicHeader(null, Malformed: true);
    }

    /// <summary>RFC 6750 §2.1: <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public static string? ReadBearer(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        const string Prefix = "Bearer ";
        return header is not null && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            ? header[Prefix.Length..].Trim()
            : null;
    }
}

public readonly record struct BasicHeader(BasicCredentials? Credentials, bool Malformed)
{
    public bool Present => Credentials is not null || Malformed;
}
