using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.AdminConsole;

/// <summary>
/// Issue 14: the console's tools. The sign-in debugger runs a client's real sign-in for a chosen user and revokes
/// it; the readiness check lists what Jira needs; the previews show who would lose which group before a claim
/// mapping or a group name changes; a reference from an error page opens that request's events and reason.
/// </summary>
public class ConsoleToolsTests : ConsoleTestBase
{
    [Test]
    public async Task The_debugger_shows_the_groups_claim_with_its_sources_and_what_the_rules_dropped_and_revokes_the_grant()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}/clients/atlassian",
            """{"claim_mapping":{"group_allow_list":["jira-administrators","jira-software-users"],"group_renames":{"jira-administrators":"jira-admins"}}}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        string form = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/clients/atlassian/test");

        HttpResponseMessage run = await browser.PostAsync($"/{org.Slug}/admin/clients/atlassian/test",
            HtmlForm.Find(form, "/admin/clients/atlassian/test").With("username", "alice").With("scope", "openid profile email groups").ToContent());
        string page = await run.Content.ReadAsStringAsync();
        Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
        Assert.That(page, Does.Contain("<td><code>groups</code></td><td>[&quot;jira-admins&quot;,&quot;jira-software-users&quot;]</td><td>scope groups: the user&#x27;s groups after this client&#x27;s group rules</td>"));
        Assert.That(page, Does.Contain("<td><code>preferred_username</code></td><td>alice</td><td>scope profile: the user&#x27;s username</td>"));
        Assert.That(page, Does.Contain("<td>confluence-users</td><td class=\"fail\">&#x2014;</td><td>left out: not in the client&#x27;s group allow list</td>"));
        Assert.That(page, Does.Contain("<td>jira-administrators</td><td>jira-admins</td><td>renamed to jira-admins</td>"));
        Assert.That(page, Does.Match("<td>ID token</td><td>[0-9,]+ bytes</td><td>RS256</td>"));
        Assert.That(page, Does.Not.Contain("eyJ"), "no token is written into the page");

        Assert.That(await AuditDetailAsync(org.Id, "console.test_sign_in", "actor"), Is.EqualTo(org.AliceSubject));
        string? grant = await AuditDetailAsync(org.Id, "console.test_sign_in", "grant_id");
        Assert.That(grant, Is.Not.Null);
        await using NpgsqlDataSource data = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand query = data.CreateCommand("SELECT revoked_at IS NOT NULL FROM grants WHERE organization_id = $1 AND grant_id = $2");
        query.Parameters.Add(new() { Value = org.Id });
        query.Parameters.Add(new() { Value = grant });
        Assert.That(await query.ExecuteScalarAsync(), Is.True, "the test grant is revoked");
    }

    [Test]
    public async Task The_debugger_names_the_step_that_refused_a_disabled_user()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", """{"username":"bob"}""", HttpStatusCode.Created);
        JsonElement bob = (await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?username=bob", null, HttpStatusCode.OK)).GetProperty("users")[0];
        Assert.That((await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{bob.GetProperty("sub").GetString()}/disable")).StatusCode,
            Is.EqualTo(HttpStatusCode.NoContent));
        using HttpClient browser = Server.CreateClient();
        string form = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/clients/atlassian/test");

        HttpResponseMessage run = await browser.PostAsync($"/{org.Slug}/admin/clients/atlassian/test",
            HtmlForm.Find(form, "/admin/clients/atlassian/test").With("username", "bob").With("scope", "openid").ToContent());
        Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(await run.Content.ReadAsStringAsync(), Does.Contain("The token step refused: invalid_grant: The user of this authorization code is no longer active."));
    }

    [Test]
    public async Task The_readiness_check_fails_an_unregistered_callback_and_a_group_unknown_to_jira()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string form = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/clients/atlassian/readiness");

        HttpResponseMessage run = await browser.PostAsync($"/{org.Slug}/admin/clients/atlassian/readiness", HtmlForm.Find(form, "/admin/clients/atlassian/readiness")
            .With("username", "alice").With("integration", "builtin").With("jira_url", "https://jira.acme.eu").With("confluence_url", "https://wiki.acme.eu")
            .With("atlassian_groups", "jira-administrators\njira-software-users\nconfluence-users\n").ToContent());
        string page = await run.Content.ReadAsStringAsync();
        Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
        Assert.That(page, Does.Contain("<td>Jira callback URL</td><td class=\"pass\">pass</td><td>https://jira.acme.eu/plugins/servlet/oidc/callback is registered.</td>"));
        Assert.That(page, Does.Contain("<td>Confluence callback URL</td><td class=\"fail\">fail</td><td>https://wiki.acme.eu/plugins/servlet/oidc/callback is not registered"));
        Assert.That(page, Does.Contain("<td>Group names</td><td class=\"fail\">fail</td><td>Not in the Atlassian instance: clavex-admins."));
        Assert.That(page, Does.Contain("<td>Signing algorithm</td><td class=\"pass\">pass</td>")
            .And.Contain("<td>email in the ID token</td><td class=\"pass\">pass</td><td>alice@acme.eu</td>"));
        Assert.That(page, Does.Contain("2 items failed."));
    }

    [Test]
    public async Task A_claim_mapping_preview_lists_the_user_who_would_lose_a_group_and_saves_nothing()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/clients/atlassian");
        HtmlForm settings = WithVisibleFields(HtmlForm.Find(page, "/admin/clients/atlassian"), page)
            .With("group_prefix", "jira-").With("preview", "1");

        HttpResponseMessage preview = await browser.PostAsync(settings.Action, settings.ToContent());
        string shown = await preview.Content.ReadAsStringAsync();
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK), shown);
        Assert.That(shown, Does.Contain("1 of 1 users would change; 1 would lose groups."));
        Assert.That(shown, Does.Contain("<tr><td>alice</td><td>&#x2014;</td><td class=\"fail\">clavex-admins, confluence-users</td></tr>"));
        Assert.That(shown, Does.Contain("name=\"group_prefix\" value=\"jira-\""), "the form keeps what was typed");
        JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/atlassian", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("claim_mapping").TryGetProperty("group_prefix", out _), Is.False, "nothing saved");
    }

    [Test]
    public async Task A_group_rename_preview_shows_the_old_name_lost_and_the_new_one_gained_in_each_clients_tokens()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/groups/jira-administrators");

        HttpResponseMessage preview = await browser.PostAsync($"/{org.Slug}/admin/groups/jira-administrators/rename",
            HtmlForm.Find(page, "/admin/groups/jira-administrators/rename").With("new_name", "jira-admins").With("preview", "1").ToContent());
        string shown = await preview.Content.ReadAsStringAsync();
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK), shown);
        Assert.That(shown, Does.Contain("Preview: renaming jira-administrators to jira-admins, in atlassian&#x27;s tokens"));
        Assert.That(shown, Does.Contain("<tr><td>alice</td><td>jira-admins</td><td class=\"fail\">jira-administrators</td></tr>"));
        JsonElement groups = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/groups", null, HttpStatusCode.OK);
        Assert.That(groups.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString()), Does.Contain("jira-administrators"));
    }

    [Test]
    public async Task A_reference_opens_the_requests_events_with_the_reason_in_plain_words()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        HttpResponseMessage refused = await jira.PostAsync($"/{org.Slug}/token",
            Form(("grant_type", "authorization_code"), ("code", "nope"), ("client_id", "atlassian"), ("client_secret", "cs_wrong")));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        string reference = refused.Headers.GetValues("X-Correlation-Id").Single();
        await AuditEvents.WaitForAsync(org.Id, "token.failed");

        using HttpClient browser = Server.CreateClient();
        string home = await SignInToConsoleAsync(browser, org);
        Assert.That(home, Does.Contain("action=\"/" + org.Slug + "/admin/audit\""));
        await AuditEvents.WaitForAsync(org.Id, "console.signed_in");
        string audit = await browser.GetStringAsync($"/{org.Slug}/admin/audit?correlation_id={reference}");
        Assert.That(audit, Does.Contain("<h2>Request " + reference + "</h2>"));
        Assert.That(audit, Does.Contain("It failed at token.failed: The application&#x27;s client authentication failed"));
        Assert.That(audit, Does.Contain("<strong>token.failed</strong>").And.Not.Contain("<strong>console.signed_in</strong>"));
    }
}
