using System.Net;
using System.Text.Json;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 15: an issuer with a slash at the end (the commonest Atlassian mistake) and an unknown organisation get a
/// clear answer, HTML for a browser and JSON otherwise, and an audit event, instead of an empty 404 or raw JSON.
/// </summary>
public class NotFoundTests : AdminTestBase
{
    [Test]
    public async Task A_doubled_slash_after_the_issuer_names_the_issuer_to_use_and_is_audited_under_the_organisation()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();

        HttpResponseMessage response = await jira.GetAsync($"/{org.Slug}//.well-known/openid-configuration");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(error.GetProperty("error_description").GetString(), Is.EqualTo(
            $"The address has a doubled slash. The issuer URL probably ends with '/': use {org.Issuer} exactly, with no slash at the end."));
        Assert.That(await AuditDetailAsync(org.Id, "request.not_found", "reason"), Is.EqualTo("doubled_slash"));
        Assert.That(await AuditDetailAsync(org.Id, "request.not_found", "suggested_path"), Is.EqualTo($"/{org.Slug}/.well-known/openid-configuration"));
    }

    [Test]
    public async Task A_browser_gets_a_page_for_a_doubled_slash_and_for_an_unknown_organisation()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage trailing = await GetHtmlAsync(browser, $"/{org.Slug}//authorize?client_id=atlassian");
        string page = await trailing.Content.ReadAsStringAsync();
        Assert.That(trailing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(trailing.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        Assert.That(page, Does.Contain("This address does not exist").And.Contain($"use {org.Issuer} exactly").And.Contain("Reference"));
        Assert.That(trailing.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'none'"));

        string slug = AdminTestBase.NewSlug();
        HttpResponseMessage unknown = await GetHtmlAsync(browser, $"/{slug}/authorize?client_id=atlassian");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await unknown.Content.ReadAsStringAsync(), Does.Contain("There is no such organisation").And.Not.Contain("\"error\""));
        Assert.That(await UnknownOrganizationAuditedAsync(slug), Is.True);

        using HttpClient rp = Server.CreateClient();
        JsonElement json = await JsonAsync(await rp.GetAsync($"/{slug}/.well-known/openid-configuration"));
        Assert.That(json.GetProperty("error_description").GetString(), Is.EqualTo("There is no such organisation on this server."));
    }

    private static Task<HttpResponseMessage> GetHtmlAsync(HttpClient browser, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml");
        return browser.SendAsync(request);
    }

    private static async Task<bool> UnknownOrganizationAuditedAsync(string slug)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(
                "SELECT count(*) FROM audit_events WHERE organization_id IS NULL AND event_type = 'request.unknown_organization' AND detail->>'organization' = $1");
            command.Parameters.AddWithValue(slug);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return true;
            }

            // Polling a condition with a deadline; the audit writer flushes within milliseconds.
            await Task.Delay(50);
        }

        return false;
    }
}
