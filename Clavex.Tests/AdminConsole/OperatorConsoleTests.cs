using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.AdminConsole;

/// <summary>
/// Issue 14: the operator's console at /admin, for whoever holds the admin token: organisations and their policies,
/// through the admin API with the admin token; the browser holds a signed, expiring cookie, never the token.
/// </summary>
public class OperatorConsoleTests : ConsoleTestBase
{
    [Test]
    public async Task A_wrong_token_is_refused_and_the_right_one_opens_the_organisations()
    {
        TestOrganization org = await NewOrganizationAsync();
        var jar = new CookieContainer();
        using HttpClient browser = Server.CreateClient(jar);
        string page = await browser.GetStringAsync("/admin");
        Assert.That(page, Does.Contain("name=\"admin_token\"").And.Contain("action=\"/admin/go\""));

        HttpResponseMessage wrong = await browser.PostAsync("/admin/sign-in", HtmlForm.Find(page, "/admin/sign-in").With("admin_token", "adm_not_it").ToContent());
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("That is not the admin token of this server"));
        Assert.That(await AuditEvents.WaitForRequestAsync(wrong.Headers.GetValues("X-Correlation-Id").Single(), "admin.authentication_failed"), Is.EqualTo("wrong_token"));
        HttpResponseMessage forged = await browser.PostAsync("/admin/sign-in", new FormUrlEncodedContent([new("admin_token", ClavexTestServer.AdminToken)]));
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "no antiforgery token, no sign-in");

        HttpResponseMessage right = await browser.PostAsync("/admin/sign-in", HtmlForm.Find(page, "/admin/sign-in").With("admin_token", ClavexTestServer.AdminToken).ToContent());
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Cookie cookie = jar.GetCookies(new Uri(Server.BaseUrl, "/admin/"))["clavex-operator"]!;
        Assert.That(cookie.HttpOnly, Is.True);
        Assert.That(cookie.Value, Does.Not.Contain(ClavexTestServer.AdminToken));
        string list = await browser.GetStringAsync("/admin");
        Assert.That(list, Does.Contain($">{org.Slug}</a>").And.Contain($"href=\"/{org.Slug}/admin\""));

        Server.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.That(await browser.GetStringAsync("/admin"), Does.Contain("name=\"admin_token\""), "the session ends after an hour");
    }

    [Test]
    public async Task The_operator_creates_an_organisation_and_changes_its_policy_with_its_etag()
    {
        using HttpClient browser = Server.CreateClient();
        string home = await SignInAsOperatorAsync(browser);
        string slug = "op" + Guid.NewGuid().ToString("N")[..10];

        HttpResponseMessage created = await browser.PostAsync("/admin/organizations",
            HtmlForm.Find(home, "/admin/organizations").With("slug", slug).With("display_name", "Operated").ToContent());
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await created.Content.ReadAsStringAsync());
        string settings = await browser.GetStringAsync(created.Headers.Location);
        Assert.That(settings, Does.Contain("The organisation is created."));

        HtmlForm form = WithVisibleFields(HtmlForm.Find(settings, $"/admin/organizations/{slug}"), settings);
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{slug}", """{"display_name":"Changed elsewhere"}""", HttpStatusCode.OK);
        HttpResponseMessage stale = await browser.PostAsync(form.Action, form.With("mfa_policy", "required").ToContent());
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        string current = await stale.Content.ReadAsStringAsync();
        Assert.That(current, Does.Contain("value=\"Changed elsewhere\""));

        HtmlForm fresh = WithVisibleFields(HtmlForm.Find(current, $"/admin/organizations/{slug}"), current);
        HttpResponseMessage saved = await browser.PostAsync(fresh.Action, fresh.With("mfa_policy", "required").With("limit_token_requests_per_minute", "300").ToContent());
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await saved.Content.ReadAsStringAsync());
        JsonElement organization = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}", null, HttpStatusCode.OK);
        Assert.That(organization.GetProperty("mfa_policy").GetString(), Is.EqualTo("required"));
        Assert.That(organization.GetProperty("display_name").GetString(), Is.EqualTo("Changed elsewhere"));
        Assert.That(organization.GetProperty("request_limits").GetProperty("token_requests_per_minute").GetInt32(), Is.EqualTo(300));
        Assert.That(organization.GetProperty("request_limits").GetProperty("userinfo_requests_per_minute").GetInt32(), Is.EqualTo(1200), "the others stay defaults");
    }

    [Test]
    public async Task An_admin_edits_a_users_attributes_and_a_removed_one_is_gone()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", """{"attributes":{"department":"Sales","site":"Berlin"}}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/users/{org.AliceSubject}");
        Assert.That(page, Does.Contain("department = Sales").And.Contain("site = Berlin"));

        HtmlForm form = WithVisibleFields(HtmlForm.Find(page, $"/admin/users/{org.AliceSubject}"), page).With("attributes", "department = Engineering\n");
        HttpResponseMessage saved = await browser.PostAsync(form.Action, form.ToContent());
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await saved.Content.ReadAsStringAsync());
        JsonElement alice = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(alice.GetProperty("attributes").GetRawText(), Is.EqualTo("""{"department":"Engineering"}"""));
        Assert.That(alice.GetProperty("email").GetString(), Is.EqualTo("alice@acme.eu"), "the rest of the profile as it was");
        Assert.That(await AuditDetailAsync(org.Id, "admin.user.updated", "actor"), Is.EqualTo(org.AliceSubject));
    }

    [Test]
    public async Task From_an_empty_organisation_to_a_passing_readiness_check_without_a_terminal()
    {
        using HttpClient operatorBrowser = Server.CreateClient();
        string home = await SignInAsOperatorAsync(operatorBrowser);
        string slug = "empty" + Guid.NewGuid().ToString("N")[..10];
        HttpResponseMessage created = await operatorBrowser.PostAsync("/admin/organizations",
            HtmlForm.Find(home, "/admin/organizations").With("slug", slug).With("display_name", "Empty Ltd").ToContent());
        string settings = await operatorBrowser.GetStringAsync(created.Headers.Location);
        HttpResponseMessage made = await operatorBrowser.PostAsync($"/admin/organizations/{slug}/admins", HtmlForm.Find(settings, $"/admin/organizations/{slug}/admins")
            .With("username", "ada").With("email", "ada@empty.test").With("name", "Ada Admin").With("password", "a long first password for ada").ToContent());
        Assert.That(made.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await made.Content.ReadAsStringAsync());
        Assert.That(await operatorBrowser.GetStringAsync(made.Headers.Location), Does.Contain("The user is a console admin").And.Contain("<td>ada</td>"));

        var org = new TestOrganization(0, slug, string.Empty, string.Empty, "a long first password for ada", new Uri(Server.BaseUrl, "/" + slug).AbsoluteUri.TrimEnd('/'));
        using HttpClient admin = Server.CreateClient();
        HttpResponseMessage opened = await SignInToConsoleRawAsync(admin, org, $"/{slug}/admin/clients/new", username: "ada");
        string form = await opened.Content.ReadAsStringAsync();
        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK), form);
        HttpResponseMessage registered = await admin.PostAsync($"/{slug}/admin/clients", WithVisibleFields(HtmlForm.Find(form, "/admin/clients"), form)
            .With("client_id", "atlassian").With("client_name", "Jira + Confluence")
            .With("redirect_uris", "https://jira.empty.test/plugins/servlet/oidc/callback\nhttps://wiki.empty.test/plugins/servlet/oidc/callback").ToContent());
        Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.Created), await registered.Content.ReadAsStringAsync());

        foreach (string group in (string[])["jira-software-users", "confluence-users"])
        {
            string groups = await admin.GetStringAsync($"/{slug}/admin/groups");
            Assert.That((await admin.PostAsync($"/{slug}/admin/groups", HtmlForm.Find(groups, "/admin/groups").With("name", group).ToContent())).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }

        string users = await admin.GetStringAsync($"/{slug}/admin/users");
        HttpResponseMessage bob = await admin.PostAsync($"/{slug}/admin/users", HtmlForm.Find(users[users.IndexOf("<h2>Create a user</h2>", StringComparison.Ordinal)..], "/admin/users").With("username", "bob").With("email", "bob@empty.test")
            .With("name", "Bob Builder").With("groups", "jira-software-users, confluence-users").ToContent());
        Assert.That(bob.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await bob.Content.ReadAsStringAsync());

        string readiness = await admin.GetStringAsync($"/{slug}/admin/clients/atlassian/readiness");
        HttpResponseMessage checkedOut = await admin.PostAsync($"/{slug}/admin/clients/atlassian/readiness", HtmlForm.Find(readiness, "/admin/clients/atlassian/readiness")
            .With("username", "bob").With("integration", "builtin").With("jira_url", "https://jira.empty.test").With("confluence_url", "https://wiki.empty.test")
            .With("atlassian_groups", "jira-software-users\nconfluence-users\njira-administrators").ToContent());
        string result = await checkedOut.Content.ReadAsStringAsync();
        Assert.That(checkedOut.StatusCode, Is.EqualTo(HttpStatusCode.OK), result);
        Assert.That(result, Does.Contain("Every item passed").And.Not.Contain("class=\"fail\""));
        Assert.That(result, Does.Contain("<td>groups in the ID token</td><td class=\"pass\">pass</td><td>confluence-users, jira-software-users</td>"));
    }

    [Test]
    public async Task A_profile_save_keeps_attributes_it_cannot_show_and_a_new_email_is_not_verified()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", """{"attributes":{"team=a":"x\ny"}}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/users/{org.AliceSubject}");

        HtmlForm form = WithVisibleFields(HtmlForm.Find(page, $"/admin/users/{org.AliceSubject}"), page).With("email", "alice@new.example");
        HttpResponseMessage saved = await browser.PostAsync(form.Action, form.ToContent());
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await saved.Content.ReadAsStringAsync());
        JsonElement alice = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(alice.GetProperty("attributes").GetRawText(), Is.EqualTo("""{"team=a":"x\ny"}"""));
        Assert.That(alice.GetProperty("email").GetString(), Is.EqualTo("alice@new.example"));
        Assert.That(alice.GetProperty("email_verified").GetBoolean(), Is.False, "the old address's tick does not verify the new one");
    }

    private static async Task<string> SignInAsOperatorAsync(HttpClient browser)
    {
        string page = await browser.GetStringAsync("/admin");
        HttpResponseMessage signedIn = await browser.PostAsync("/admin/sign-in", HtmlForm.Find(page, "/admin/sign-in").With("admin_token", ClavexTestServer.AdminToken).ToContent());
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return await browser.GetStringAsync("/admin");
    }
}
