using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clavex.Server.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Admin;

/// <summary>
/// docs/openapi.json is the admin API's document as the running server generates it, and every admin route is in it.
/// After changing an endpoint, refresh the file with <c>CLAVEX_UPDATE_OPENAPI=1 dotnet test Clavex.Tests --filter AdminOpenApiTests</c>.
/// </summary>
public class AdminOpenApiTests : AdminTestBase
{
    private const string UpdateVariable = "CLAVEX_UPDATE_OPENAPI";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Test]
    public async Task The_checked_in_document_is_the_one_the_server_generates()
    {
        string generated = await GeneratedAsync();
        string file = Path.Combine(RepositoryRoot(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(file, generated);
            Assert.Pass($"Wrote {file}.");
        }

        string checkedIn = File.Exists(file) ? (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n") : "(missing)";
        Assert.That(checkedIn, Is.EqualTo(generated),
            $"docs/openapi.json is not what the server generates. If the change to the admin API is intended, refresh it with {UpdateVariable}=1 dotnet test Clavex.Tests --filter AdminOpenApiTests and commit the file.");
    }

    [Test]
    public async Task Every_admin_route_is_in_the_document_with_its_method()
    {
        JsonObject paths = (await DocumentAsync())["paths"]!.AsObject();
        var missing = new List<string>();
        int count = 0;
        foreach (RouteEndpoint endpoint in AdminEndpoints())
        {
            string path = endpoint.RoutePattern.RawText!;
            foreach (string method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                count++;
                if (paths[path]?[method.ToLowerInvariant()] is null)
                {
                    missing.Add($"{method} {path}");
                }
            }
        }

        Assert.That(count, Is.GreaterThanOrEqualTo(26), "the admin endpoints were not found in the EndpointDataSource");
        Assert.That(missing, Is.Empty, "Admin endpoints missing from the OpenAPI document");
    }

    [Test]
    public async Task Every_operation_is_named_summarised_tagged_and_declares_its_answers()
    {
        JsonObject document = await DocumentAsync();
        var problems = new List<string>();
        foreach ((string path, JsonNode? item) in document["paths"]!.AsObject())
        {
            foreach ((string method, JsonNode? operation) in item!.AsObject())
            {
                string name = $"{method.ToUpperInvariant()} {path}";
                if (operation!["operationId"] is null || operation["summary"] is null || operation["tags"] is not JsonArray { Count: > 0 })
                {
                    problems.Add($"{name}: needs .WithName, .WithSummary and .WithTags");
                }

                JsonObject responses = operation["responses"]!.AsObject();
                if (!responses.Any(r => r.Key.StartsWith('2')))
                {
                    problems.Add($"{name}: needs .Produces<T>(2xx) or .Produces(204)");
                }

                if (responses["401"]?["content"]?["application/json"] is null)
                {
                    problems.Add($"{name}: needs the admin error for 401 (AdminApi declares it for the group)");
                }
            }
        }

        Assert.That(problems, Is.Empty);
        Assert.That(document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));
        Assert.That(document["security"]![0]!["bearer"], Is.Not.Null);
    }

    [Test]
    public async Task The_document_is_served_without_the_admin_token_and_lists_no_protocol_endpoint()
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, AdminOpenApi.DocumentPath, token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        JsonObject paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();
        Assert.That(paths.Select(p => p.Key), Has.All.StartWith("/api/v1/"));
        Assert.That(paths.Select(p => p.Key), Has.Member("/api/v1/organizations/{org}/audit-events"));
        Assert.That(paths.Select(p => p.Key), Has.None.Contains("openapi"));
    }

    [Test]
    public async Task Describing_a_body_leaves_refusals_to_the_admin_api_not_to_routing()
    {
        using HttpClient client = Server.CreateClient();
        using var unauthenticated = new HttpRequestMessage(HttpMethod.Post, "/api/v1/organizations") { Content = new StringContent("slug=x", System.Text.Encoding.UTF8, "text/plain") };
        HttpResponseMessage refused = await client.SendAsync(unauthenticated);
        HttpResponseMessage form = await AdminAsync(HttpMethod.Post, "/api/v1/organizations", null);

        // Not 415 from routing (what .Accepts<T> metadata would cause): the token is checked first, then the handler says why.
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(form.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(form)).GetProperty("error_description").GetString(), Does.StartWith("The request body must be JSON"));
    }

    private IEnumerable<RouteEndpoint> AdminEndpoints()
    {
        foreach (Endpoint endpoint in Server.Services.GetRequiredService<EndpointDataSource>().Endpoints)
        {
            if (endpoint is RouteEndpoint route && route.RoutePattern.RawText is { } path
                && path.StartsWith("/api/v1/", StringComparison.Ordinal) && path != AdminOpenApi.DocumentPath
                && route.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            {
                yield return route;
            }
        }
    }

    private async Task<JsonObject> DocumentAsync() => JsonNode.Parse(await GeneratedAsync())!.AsObject();

    /// <summary>The served document, indented the same way every time, with a final newline.</summary>
    private async Task<string> GeneratedAsync()
    {
        using HttpClient client = Server.CreateClient();
        string served = await client.GetStringAsync(AdminOpenApi.DocumentPath);
        return JsonNode.Parse(served)!.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Clavex.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Clavex.sln above {AppContext.BaseDirectory}.");
    }
}
