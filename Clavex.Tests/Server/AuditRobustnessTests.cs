using System.Net;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Text anyone can type must never stop the audit log: PostgreSQL refuses U+0000 in text and jsonb, and a refused
/// batch used to be retried, then thrown out of the writer, which stopped the host. Regression tests for issue 6.
/// </summary>
public sealed class AuditRobustnessTests : ServerTestBase
{
    [TestCase(300)]
    [TestCase(0)]
    public async Task A_username_with_a_nul_character_is_audited_with_a_replacement_and_the_log_goes_on(int padding)
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage result = await browser.PostAsync(login.Action, login.With("username", "mal\0lory" + new string('x', padding)).With("password", "wrong").ToContent());

        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "login.failed"), Is.EqualTo("unknown_user"));
        Assert.That(await UsernameOfLastFailureAsync(org.Id), Does.StartWith("mal\uFFFDlory"));

        // The writer is still writing: a later event lands too.
        using HttpClient second = Server.CreateClient();
        HtmlForm again = HtmlForm.Find(await (await second.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        await second.PostAsync(again.Action, again.With("username", "alice").With("password", "wrong").ToContent());
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "login.failed"), Is.EqualTo("wrong_password"));
    }

    [Test]
    public async Task A_client_id_with_a_nul_character_is_refused_as_invalid_client_and_audited()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "client_credentials"), ("client_id", "atl\0assian"), ("client_secret", "cs_wrong")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await response.Content.ReadAsStringAsync());
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "token.failed"), Is.Not.Null);
    }

    [Test]
    public async Task Basic_credentials_with_an_encoded_nul_are_refused_as_invalid_client()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token") { Content = Form(("grant_type", "client_credentials")) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("atl%00assian:" + org.ClientSecret)));

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await response.Content.ReadAsStringAsync());
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
    }

    private static async Task<string?> UsernameOfLastFailureAsync(long organizationId)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand(
            "SELECT detail->>'username' FROM audit_events WHERE organization_id = $1 AND event_type = 'login.failed' ORDER BY id DESC LIMIT 1");
        command.Parameters.AddWithValue(organizationId);
        return await command.ExecuteScalarAsync() as string;
    }
}
