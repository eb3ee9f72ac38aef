using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Admin;

/// <summary>Organisations over the admin API, and the audit trail of admin changes.</summary>
public class AdminOrganizationTests : AdminTestBase
{
    [Test]
    public async Task A_new_organisation_has_an_issuer_with_a_published_signing_key()
    {
        string slug = NewSlug();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, "/api/v1/organizations", $$"""{"slug":"{{slug}}","display_name":"Acme Europe"}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location!.OriginalString, Is.EqualTo($"/api/v1/organizations/{slug}"));
        JsonElement body = await JsonAsync(response);
        Assert.That(body.GetProperty("slug").GetString(), Is.EqualTo(slug));
        Assert.That(body.GetProperty("display_name").GetString(), Is.EqualTo("Acme Europe"));
        Assert.That(body.GetProperty("issuer").GetString(), Is.EqualTo(new Uri(Server.BaseUrl, "/" + slug).AbsoluteUri));
        Assert.That(body.TryGetProperty("created_at", out _), Is.True);
        using HttpClient rp = Server.CreateClient();
        JsonElement discovery = JsonDocument.Parse(await rp.GetStringAsync($"/{slug}/.well-known/openid-configuration")).RootElement;
        Assert.That(discovery.GetProperty("issuer").GetString(), Is.EqualTo(body.GetProperty("issuer").GetString()));
        JsonElement jwks = JsonDocument.Parse(await rp.GetStringAsync($"/{slug}/jwks")).RootElement;
        Assert.That(jwks.GetProperty("keys").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_taken_slug_answers_409()
    {
        string slug = NewSlug();
        await AdminJsonAsync(HttpMethod.Post, "/api/v1/organizations", $$"""{"slug":"{{slug}}","display_name":"One"}""", HttpStatusCode.Created);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, "/api/v1/organizations", $$"""{"slug":"{{slug}}","display_name":"Two"}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        JsonElement organization = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}", null, HttpStatusCode.OK);
        Assert.That(organization.GetProperty("display_name").GetString(), Is.EqualTo("One"));
    }

    [TestCase("""{"slug":"Acme","display_name":"x"}""", "slug")]
    [TestCase("""{"slug":"-acme","display_name":"x"}""", "slug")]
    [TestCase("""{"slug":"api","display_name":"x"}""", "slug")]
    [TestCase("""{"slug":"acme2"}""", "display_name")]
    [TestCase("""{"slug":7,"display_name":"x"}""", "slug")]
    public async Task A_bad_organisation_answers_400_naming_the_field(string body, string field)
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, "/api/v1/organizations", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.StartWith(field));
    }

    [Test]
    public async Task The_display_name_can_be_changed_and_the_organisation_is_listed()
    {
        TestOrganization org = await NewOrganizationAsync();

        JsonElement patched = await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}", """{"display_name":"Acme AB"}""", HttpStatusCode.OK);
        JsonElement list = await AdminJsonAsync(HttpMethod.Get, "/api/v1/organizations", null, HttpStatusCode.OK);

        Assert.That(patched.GetProperty("display_name").GetString(), Is.EqualTo("Acme AB"));
        Assert.That(list.GetProperty("organizations").EnumerateArray().Single(o => o.GetProperty("slug").GetString() == org.Slug)
            .GetProperty("display_name").GetString(), Is.EqualTo("Acme AB"));
        HttpResponseMessage unknown = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{NewSlug()}", """{"display_name":"x"}""");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Admin_changes_are_audited_with_the_actor_and_no_secrets()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"client_name":"Jira"}""", HttpStatusCode.OK);
        JsonElement rotation = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients/atlassian/secrets", null, HttpStatusCode.Created);
        await AdminJsonAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/password", """{"password":"another passphrase"}""", HttpStatusCode.NoContent);

        Assert.That(await AuditDetailAsync(org.Id, "admin.organization.created", "actor"), Is.EqualTo("admin"));
        Assert.That(await AuditDetailAsync(org.Id, "admin.user.created", "actor"), Is.EqualTo("admin"));
        string created = (await AuditDetailAsync(org.Id, "admin.client.created", "after"))!;
        Assert.That(created, Does.Contain("\"client_id\":\"atlassian\"").And.Not.Contain(org.ClientSecret));
        Assert.That(await AuditDetailAsync(org.Id, "admin.client.updated", "before"), Does.Contain("Jira + Confluence"));
        Assert.That(await AuditDetailAsync(org.Id, "admin.client.updated", "after"), Does.Contain("\"client_name\":\"Jira\""));
        Assert.That(await AuditDetailAsync(org.Id, "admin.client.secret_rotated", "after"),
            Does.Contain(rotation.GetProperty("id").GetString()).And.Not.Contain(rotation.GetProperty("client_secret").GetString()));
        Assert.That(await AuditDetailAsync(org.Id, "admin.user.password_set", "actor"), Is.EqualTo("admin"));
        Assert.That(await AuditDetailAsync(org.Id, "admin.user.created", "after"), Does.Not.Contain("argon2").And.Not.Contain(AlicePassword));
    }
}
