using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Clavex.Server.Admin;
using Clavex.Server.Storage;
using Clavex.Tests.Server;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clavex.Tests.Admin;

/// <summary>Admin API tests: every organisation, user and client is made through the API itself.</summary>
public abstract class AdminTestBase : ServerTestBase
{
    /// <summary>The JSON of Step 1 of the Jira &amp; Confluence guide, byte for byte.</summary>
    internal const string GuideClientBody = """
        {
        "client_id": "atlassian",
        "client_name": "Jira + Confluence",
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": [
        "https://jira.acme.eu/plugins/servlet/oidc/callback",
        "https://confluence.acme.eu/plugins/servlet/oidc/callback"
        ],
        "scopes": ["openid", "profile", "email", "groups"],
        "token_endpoint_auth_method": "client_secret_post"
        }
        """;

    internal const string AlicePassword = "correct horse battery staple";

    internal static readonly string[] AliceGroups = ["jira-administrators", "jira-software-users", "confluence-users"];

    internal async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? json = null, string? token = ClavexTestServer.AdminToken)
    {
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    internal async Task<JsonElement> AdminJsonAsync(HttpMethod method, string path, string? json, HttpStatusCode expected)
    {
        HttpResponseMessage response = await AdminAsync(method, path, json);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>An organisation made through the API, with alice (in the guide's groups) and the guide's client.</summary>
    internal async Task<TestOrganization> NewOrganizationAsync()
    {
        string slug = NewSlug();
        await AdminJsonAsync(HttpMethod.Post, "/api/v1/organizations", $$"""{"slug":"{{slug}}","display_name":"Acme {{slug}}"}""", HttpStatusCode.Created);
        await CreateGroupsAsync(slug, AliceGroups);
        JsonElement alice = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{slug}/users", $$"""
            {"username":"alice","password":"{{AlicePassword}}","name":"Alice Andersson","given_name":"Alice","family_name":"Andersson",
             "email":"alice@acme.eu","email_verified":true,"groups":{{JsonSerializer.Serialize(AliceGroups)}}}
            """, HttpStatusCode.Created);
        JsonElement client = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{slug}/clients", GuideClientBody, HttpStatusCode.Created);
        OrganizationRecord record = (await Server.Services.GetRequiredService<PgOrganizationStore>().FindBySlugAsync(slug, CancellationToken.None))!;
        return new TestOrganization(
            record.Id, slug, alice.GetProperty("sub").GetString()!, client.GetProperty("client_secret").GetString()!, AlicePassword,
            new Uri(Server.BaseUrl, "/" + slug).AbsoluteUri);
    }

    /// <summary>
    /// Removes the RS256 pin the guide's client gets at registration (its redirect URIs are Atlassian callbacks), for
    /// tests that move the organisation to another algorithm.
    /// </summary>
    internal async Task UnpinGuideClientAsync(TestOrganization org) =>
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"id_token_signed_response_alg":null}""", HttpStatusCode.OK);

    /// <summary>Makes the groups (users are created only into groups that exist).</summary>
    internal async Task CreateGroupsAsync(string slug, params IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{slug}/groups", JsonSerializer.Serialize(new { name }), HttpStatusCode.Created);
        }
    }

    internal static string NewSlug() => "a" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    /// <summary>The code of <paramref name="callback"/> redeemed as Jira does (client_secret_post).</summary>
    internal async Task<HttpResponseMessage> RedeemAsync(TestOrganization org, Uri callback, string secret, string redirectUri = JiraCallback)
    {
        using HttpClient jira = Server.CreateClient();
        return await jira.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", redirectUri),
            ("client_id", "atlassian"), ("client_secret", secret)));
    }

    internal async Task<HttpResponseMessage> RefreshAsync(TestOrganization org, string refreshToken, string secret)
    {
        using HttpClient jira = Server.CreateClient();
        return await jira.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", "atlassian"), ("client_secret", secret)));
    }

    /// <summary>
    /// Registers the admin-console client (allowed the admin scope), optionally puts alice in the admin group, signs
    /// her in through the login page and redeems the code: the access token.
    /// </summary>
    internal async Task<string> AdminAccessTokenAsync(TestOrganization org, bool inAdminGroup, string scope = "openid clavex:admin")
    {
        JsonElement client = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", $$"""
            {"client_id":"admin-console","redirect_uris":["{{JiraCallback}}"],"scopes":["openid","profile","{{OrganizationAdminTokens.Scope}}"],
             "token_endpoint_auth_method":"client_secret_post"}
            """, HttpStatusCode.Created);
        string secret = client.GetProperty("client_secret").GetString()!;
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", $$"""{"name":"{{OrganizationAdminTokens.AdminGroup}}"}""", HttpStatusCode.Created);
        if (inAdminGroup)
        {
            await AdminJsonAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/groups/{OrganizationAdminTokens.AdminGroup}/members/{org.AliceSubject}", null, HttpStatusCode.NoContent);
        }

        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, scope, ("client_id", "admin-console")));
        using HttpClient console = Server.CreateClient();
        HttpResponseMessage tokens = await console.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "authorization_code"), ("code", Query(callback)["code"]), ("redirect_uri", JiraCallback),
            ("client_id", "admin-console"), ("client_secret", secret)));
        Assert.That(tokens.StatusCode, Is.EqualTo(HttpStatusCode.OK), await tokens.Content.ReadAsStringAsync());
        JsonElement body = await JsonAsync(tokens);
        Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo(scope));
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>A member of the detail of the newest audit event of that type, waiting (bounded) for the background writer.</summary>
    internal static async Task<string?> AuditDetailAsync(long organizationId, string eventType, string key)
    {
        await AuditEvents.WaitForAsync(organizationId, eventType);
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand(
            "SELECT (detail->$3)::text FROM audit_events WHERE organization_id = $1 AND event_type = $2 ORDER BY id DESC LIMIT 1");
        command.Parameters.AddWithValue(organizationId);
        command.Parameters.AddWithValue(eventType);
        command.Parameters.AddWithValue(key);
        if (await command.ExecuteScalarAsync() is not string json)
        {
            return null;
        }

        // A string member as its text; a nested document (before, after) as compact JSON, whatever jsonb's spacing.
        JsonElement value = JsonDocument.Parse(json).RootElement;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
        };
    }

    internal static string IdTokenClaim(JsonElement tokenResponse, string claim)
    {
        string payload = tokenResponse.GetProperty("id_token").GetString()!.Split('.')[1];
        using JsonDocument claims = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(payload));
        return claims.RootElement.GetProperty(claim).GetRawText();
    }
}
