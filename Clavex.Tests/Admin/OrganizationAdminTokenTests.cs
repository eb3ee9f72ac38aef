using System.Net;
using System.Text.Json;
using Clavex.Server.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Admin;

/// <summary>
/// Issue 6: an access token of a user in the organisation's admin group, carrying the admin scope, administers that
/// organisation's clients, users and groups, and nothing else. Tokens come from the full code flow over HTTP.
/// </summary>
public class OrganizationAdminTokenTests : AdminTestBase
{
    [Test]
    public async Task An_admins_token_lists_the_clients_of_its_organisation()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", token: token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        JsonElement clients = (await JsonAsync(response)).GetProperty("clients");
        Assert.That(clients.EnumerateArray().Select(c => c.GetProperty("client_id").GetString()), Is.EquivalentTo(new[] { "atlassian", "admin-console" }));
    }

    [Test]
    public async Task The_token_is_refused_for_another_organisation()
    {
        TestOrganization org = await NewOrganizationAsync();
        TestOrganization other = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{other.Slug}/clients", token: token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_token"));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer realm=\"clavex-admin\", error=\"invalid_token\""));
    }

    [Test]
    // Issue 15: the boundary, decided: everything of the organisation's own (clients, users, groups, signing keys, the
    // audit log) but not the organisation itself (its settings and sign-in policy), which needs the admin token.
    public async Task The_token_reads_the_audit_log_and_rotates_the_signing_keys_of_its_organisation_audited_under_its_user()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);

        HttpResponseMessage audit = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/audit-events?event_type=login.succeeded", token: token);
        HttpResponseMessage keys = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/signing-keys", token: token);
        HttpResponseMessage rotated = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/signing-keys/rotate", "{}", token);

        Assert.That(audit.StatusCode, Is.EqualTo(HttpStatusCode.OK), await audit.Content.ReadAsStringAsync());
        Assert.That((await JsonAsync(audit)).GetProperty("events").GetArrayLength(), Is.GreaterThan(0), "the sign-in that made the token");
        Assert.That(keys.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.Created), await rotated.Content.ReadAsStringAsync());
        Assert.That(await AuditDetailAsync(org.Id, "admin.signing_key.rotation_scheduled", "actor"), Is.EqualTo(org.AliceSubject));
    }

    [TestCase("POST", "/api/v1/organizations", """{"slug":"evil","display_name":"Evil"}""")]
    [TestCase("GET", "/api/v1/organizations", null)]
    [TestCase("GET", "/api/v1/organizations/{org}", null)]
    [TestCase("PATCH", "/api/v1/organizations/{org}", """{"display_name":"Renamed"}""")]
    public async Task The_token_is_refused_outside_the_organisations_own_routes(string method, string path, string? body)
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);

        HttpResponseMessage response = await AdminAsync(new HttpMethod(method), path.Replace("{org}", org.Slug, StringComparison.Ordinal), body, token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.Contain("only under /api/v1/organizations/{org}/"));
        JsonElement current = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}", null, HttpStatusCode.OK);
        Assert.That(current.GetProperty("display_name").GetString(), Is.EqualTo($"Acme {org.Slug}"));
    }

    [Test]
    public async Task A_user_outside_the_admin_group_gets_403_insufficient_scope()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: false);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", token: token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("insufficient_scope"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.Contain(OrganizationAdminTokens.AdminGroup));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("error=\"insufficient_scope\"").And.Contain("scope=\"clavex:admin\""));
    }

    [Test]
    public async Task A_token_without_the_admin_scope_gets_403_insufficient_scope()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true, scope: "openid profile");

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", token: token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("insufficient_scope"));
        Assert.That(error.GetProperty("error_description").GetString(), Is.EqualTo("The access token does not carry the scope 'clavex:admin'."));
    }

    [Test]
    public async Task An_expired_token_gets_401()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);

        Server.Clock.Advance(TimeSpan.FromSeconds(600 + 10));
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", token: token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_token"));
        Assert.That(error.GetProperty("error_description").GetString(), Is.EqualTo("The access token has expired."));
    }

    [Test]
    public async Task Removing_the_user_from_the_admin_group_takes_effect_at_once()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);
        Assert.That((await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users", token: token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await AdminJsonAsync(HttpMethod.Delete, $"/api/v1/organizations/{org.Slug}/groups/{OrganizationAdminTokens.AdminGroup}/members/{org.AliceSubject}", null, HttpStatusCode.NoContent);
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users", token: token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("insufficient_scope"));
    }

    [Test]
    public async Task Disabling_the_user_takes_effect_at_once()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);

        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/disable", null, HttpStatusCode.NoContent);
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", token: token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_token"));
    }

    [Test]
    public async Task A_change_made_with_the_token_names_the_user_as_the_actor()
    {
        TestOrganization org = await NewOrganizationAsync();
        string token = await AdminAccessTokenAsync(org, inAdminGroup: true);

        HttpResponseMessage response = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"client_name":"Jira"}""", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await AuditDetailAsync(org.Id, "admin.client.updated", "actor"), Is.EqualTo(org.AliceSubject));
    }

    [Test]
    public async Task A_change_made_with_the_admin_token_still_names_admin_as_the_actor()
    {
        TestOrganization org = await NewOrganizationAsync();

        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"client_name":"Jira"}""", HttpStatusCode.OK);

        Assert.That(await AuditDetailAsync(org.Id, "admin.client.updated", "actor"), Is.EqualTo(AdminAuthentication.Actor));
    }
}
