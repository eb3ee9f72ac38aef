using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Admin;

/// <summary>
/// JSON can carry text PostgreSQL cannot store (U+0000) or .NET cannot read (an escaped lone surrogate); such a body is
/// a 400 naming where, and nothing is written. Regression tests for issue 6 (these were 500s).
/// </summary>
public sealed class AdminUnstorableTextTests : AdminTestBase
{
    [TestCase("""{"username":"bob","password":"long enough pass","name":"a\u0000b"}""", "name")]
    [TestCase("""{"username":"bob","password":"long enough pass","name":"\ud800"}""", "name")]
    [TestCase("""{"username":"bob","password":"long enough pass","address":{"street_address":"x\u0000"}}""", "address.street_address")]
    [TestCase("""{"username":"bob","password":"long enough pass","groups":["ok","b\u0000d"]}""", "groups[1]")]
    [TestCase("""{"username":"bob","password":"long enough pass","attributes":{"k\u0000":"v"}}""", "attributes")]
    public async Task A_user_body_with_unstorable_text_is_refused_naming_where(string body, string path)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith(path + " contains U+0000 or an unpaired surrogate"));
        JsonElement users = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users", null, HttpStatusCode.OK);
        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("username").GetString()), Is.EqualTo(new[] { "alice" }));
    }

    [Test]
    public async Task A_client_change_with_unstorable_text_is_refused_and_the_client_is_unchanged()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"client_name":"Jira\u0000"}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.StartWith("client_name contains U+0000"));
        JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/atlassian", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("client_name").GetString(), Is.EqualTo("Jira + Confluence"));
    }

    // Issue 16: these were 500s (PostgreSQL 22021 in PgUserStore.ListAsync and the lookups by path).
    [TestCase("users?search=%00", "query")]
    [TestCase("users?username=a%00b", "query")]
    [TestCase("users?group=a%00", "query")]
    [TestCase("audit-events?subject=%00", "query")]
    [TestCase("clients?x%00=1", "query")]
    public async Task A_query_with_unstorable_text_is_a_400_not_a_500(string path, string where)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/{path}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith($"The {where} contains U+0000 or an unpaired surrogate"));
    }

    // Kestrel itself refuses a NUL in the path (400 before routing); the route check is for values that get past it.
    [TestCase("users/u_%00")]
    [TestCase("clients/a%00b")]
    [TestCase("groups/g%00")]
    public async Task A_path_with_a_nul_is_a_400_not_a_500(string path)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/{path}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
