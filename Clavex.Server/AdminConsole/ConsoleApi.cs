using System.Collections.Frozen;
using System.Text.Json;
using Clavex.Server.Admin;
using Clavex.Server.Audit;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Net.Http.Headers;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The console's only way to read or change anything: a call of the admin API, made in process. Each call runs the
/// API endpoint's own request delegate (its filters included: authentication with the console's access token, the
/// request limits, the organisation's resolution, the handler's validation, ETag check and audit record), on a
/// request built for it that carries the browser's address, user agent and correlation id. There is no second
/// implementation of an admin action to drift from the API, and the audit log names the admin as the actor of each.
/// </summary>
public sealed class ConsoleApi
{
    private readonly EndpointDataSource _endpoints;
    private FrozenDictionary<string, RouteEndpoint>? _byRoute;

    public ConsoleApi(EndpointDataSource endpoints)
    {
        _endpoints = endpoints;
    }

    /// <summary>
    /// Calls <paramref name="method"/> <c>/api/v1</c><paramref name="template"/> (a route of <see cref="AdminApi"/>, e.g.
    /// <c>/organizations/{org}/clients/{clientId}</c>) with the route values, query, JSON body and <c>If-Match</c> given
    /// (empty: none, as a form's hidden field sends it when the page had no ETag).
    /// </summary>
    public async Task<ApiAnswer> CallAsync(
        HttpContext browser, string accessToken, string method, string template, (string Name, string Value)[] route,
        byte[]? json = null, string? ifMatch = null, QueryString query = default)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(route);
        RouteEndpoint endpoint = Find(method, template);
        var call = new DefaultHttpContext { RequestServices = browser.RequestServices };
        call.RequestAborted = browser.RequestAborted;
        call.Connection.RemoteIpAddress = browser.Connection.RemoteIpAddress;
        HttpRequest request = call.Request;
        request.Method = method;
        request.Scheme = browser.Request.Scheme;
        request.Host = browser.Request.Host;
        request.Path = AdminApi.Prefix + Expand(template, route);
        request.QueryString = query;
        request.Headers.UserAgent = browser.Request.Headers.UserAgent;
        request.Headers.Authorization = "Bearer " + accessToken;
        if (!string.IsNullOrEmpty(ifMatch))
        {
            request.Headers.IfMatch = ifMatch;
        }

        if (json is not null)
        {
            request.ContentType = "application/json";
            request.ContentLength = json.Length;
            request.Body = new MemoryStream(json, writable: false);
        }

        foreach ((string name, string value) in route)
        {
            request.RouteValues[name] = value;
        }

        using var body = new MemoryStream();
        call.Response.Body = body;
        CorrelationId.Share(browser, call);
        call.SetEndpoint(endpoint);
        await endpoint.RequestDelegate!(call);

        JsonElement? parsed = null;
        if (body.Length > 0 && call.Response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
        {
            using JsonDocument document = JsonDocument.Parse(body.ToArray());
            parsed = document.RootElement.Clone();
        }

        string? etag = call.Response.Headers[HeaderNames.ETag];
        return new ApiAnswer(call.Response.StatusCode, parsed, string.IsNullOrEmpty(etag) ? null : etag);
    }

    /// <summary>The API's endpoint for the method and route, found once among the app's endpoints.</summary>
    private RouteEndpoint Find(string method, string template)
    {
        _byRoute ??= Index(_endpoints);
        return _byRoute.TryGetValue(method + " " + AdminApi.Prefix + template, out RouteEndpoint? endpoint)
            ? endpoint
            : throw new InvalidOperationException($"The admin API has no route {method} {AdminApi.Prefix}{template}.");
    }

    private static FrozenDictionary<string, RouteEndpoint> Index(EndpointDataSource source)
    {
        var index = new Dictionary<string, RouteEndpoint>(StringComparer.Ordinal);
        foreach (Endpoint endpoint in source.Endpoints)
        {
            if (endpoint is RouteEndpoint route && route.RoutePattern.RawText is string raw && raw.StartsWith(AdminApi.Prefix, StringComparison.Ordinal)
                && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods)
            {
                foreach (string method in methods.HttpMethods)
                {
                    index[method + " " + raw] = route;
                }
            }
        }

        return index.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Expand(string template, (string Name, string Value)[] route)
    {
        RoutePattern pattern = RoutePatternFactory.Parse(template);
        var path = new System.Text.StringBuilder(template.Length + 32);
        foreach (RoutePatternPathSegment segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (RoutePatternPart part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart parameter => Uri.EscapeDataString(Array.Find(route, v => v.Name == parameter.Name).Value
                        ?? throw new InvalidOperationException($"No value for {{{parameter.Name}}} of {template}.")),
                    _ => throw new InvalidOperationException($"Route part {part} of {template} is not supported."),
                });
            }
        }

        return path.ToString();
    }
}

/// <summary>An admin API answer: its status, its JSON body (an error is <c>{error, error_description}</c>) and its ETag.</summary>
public sealed record ApiAnswer(int Status, JsonElement? Json, string? ETag)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>What the API said went wrong, written for the admin; the console shows it as it is.</summary>
    public string? ErrorDescription =>
        Json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("error_description", out JsonElement e) ? e.GetString() : null;

    public JsonElement Body => Json ?? throw new InvalidOperationException($"The admin API answered {Status} without a JSON body.");
}
