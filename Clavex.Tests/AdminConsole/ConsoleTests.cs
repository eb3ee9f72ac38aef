using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clavex.Tests.Server;
using Clavex.Tests.Support;

namespace Clavex.Tests.AdminConsole;

/// <summary>
/// Issue 14: the admin console. Admins sign in through the organisation's own /authorize as the clavex-console client
/// (code + PKCE, a second factor required); every page is made of admin API calls with the admin's access token, so
/// each change is the API's, audited with the admin's sub and guarded by its ETag.
/// </summary>
public partial class ConsoleTests : ConsoleTestBase
{
    [Test]
    public async Task An_admin_signs_in_through_the_console_client_with_a_second_factor()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage start = await browser.GetAsync($"/{org.Slug}/admin");
        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(start.Headers.Location!.OriginalString, Does.StartWith($"/{org.Slug}/authorize?").And.Contain("client_id=clavex-console")
            .And.Contain("scope=openid%20clavex%3Aadmin").And.Contain("code_challenge_method=S256"));
        string home = await SignInToConsoleAsync(browser, org);

        Assert.That(home, Does.Contain($"<h1>Organisation {org.Slug}</h1>").And.Contain("<span>alice</span>").And.Contain($"<code>{org.Issuer}</code>"));
        JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/clavex-console", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("token_endpoint_auth_method").GetString(), Is.EqualTo("none"));
        Assert.That(client.GetProperty("require_pkce").GetBoolean(), Is.True);
        Assert.That(client.GetProperty("require_mfa").GetBoolean(), Is.True);
        Assert.That(client.GetProperty("redirect_uris")[0].GetString(), Is.EqualTo(org.Issuer + "/admin/callback"));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.step_up_required", "cause"), Is.EqualTo("client_require_mfa"));
        await AuditEvents.WaitForAsync(org.Id, "console.signed_in");

        HttpResponseMessage again = await browser.GetAsync($"/{org.Slug}/admin/clients");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the console keeps its token in its cookie");
        Assert.That(again.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'"));
        Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain(">atlassian</a>").And.Contain(">clavex-console</a>"));
    }

    [Test]
    public async Task After_signing_in_the_admin_returns_to_a_page_whose_path_is_not_ascii()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", """{"name":"Qualität"}""", HttpStatusCode.Created);
        using HttpClient browser = Server.CreateClient();

        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/groups/Qualit%C3%A4t");
        Assert.That(page, Does.Contain("<h1>Group Qualit&#xE4;t</h1>"));
    }

    [Test]
    public async Task Signing_out_revokes_the_consoles_token_and_needs_no_valid_one()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        var jar = new CookieContainer();
        using HttpClient browser = Server.CreateClient(jar);
        string home = await SignInToConsoleAsync(browser, org);
        string token = jar.GetCookies(new Uri(Server.BaseUrl, $"/{org.Slug}/admin/"))["clavex-console"]!.Value;

        HttpResponseMessage signedOut = await browser.PostAsync($"/{org.Slug}/admin/sign-out", HtmlForm.Find(home, "/admin/sign-out").ToContent());
        Assert.That(signedOut.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await signedOut.Content.ReadAsStringAsync(), Does.Contain("Signed out of the admin console"));
        Assert.That(jar.GetCookies(new Uri(Server.BaseUrl, $"/{org.Slug}/admin/"))["clavex-console"], Is.Null);
        HttpResponseMessage api = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients", token: token);
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the token's grant is revoked");
        await AuditEvents.WaitForAsync(org.Id, "console.signed_out");

        // Again with the revoked token in the cookie: signed out, not sent back through /authorize.
        jar.Add(new Uri(Server.BaseUrl, $"/{org.Slug}/admin/"), new Cookie("clavex-console", token, $"/{org.Slug}/admin"));
        HttpResponseMessage again = await browser.PostAsync($"/{org.Slug}/admin/sign-out", HtmlForm.Find(home, "/admin/sign-out").ToContent());
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a dead token signs out, never back in");
        Assert.That(jar.GetCookies(new Uri(Server.BaseUrl, $"/{org.Slug}/admin/"))["clavex-console"], Is.Null);
    }

    [Test]
    public async Task A_user_outside_clavex_admins_is_refused_and_keeps_no_console_access()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage refused = await SignInToConsoleRawAsync(browser, org);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("This account cannot open the admin console").And.Contain("clavex-admins"));
        Assert.That(refused.Headers.Contains("Set-Cookie") && refused.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("clavex-console=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)),
            Is.False, "no console cookie is set");
        Assert.That(await AuditDetailAsync(org.Id, "console.access_refused", "reason"), Is.EqualTo("insufficient_scope"));
        HttpResponseMessage next = await browser.GetAsync($"/{org.Slug}/admin/users");
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(next.Headers.Location!.OriginalString, Does.Contain("client_id=clavex-console"));
    }

    [Test]
    public async Task A_session_without_a_second_factor_must_add_one_before_the_console_opens()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        await ServerTestBase.SignInAsync(browser, org, AuthorizeUrl(org));

        HttpResponseMessage start = await browser.GetAsync($"/{org.Slug}/admin");
        HttpResponseMessage authorize = await browser.GetAsync(start.Headers.Location);
        string page = await authorize.Content.ReadAsStringAsync();
        Assert.That(authorize.StatusCode, Is.EqualTo(HttpStatusCode.OK), "no code for the console from a password-only session");
        Assert.That(page, Does.Contain("Set up a second factor"));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.step_up_required", "cause"), Is.EqualTo("client_require_mfa"));
        Assert.That((await browser.GetAsync($"/{org.Slug}/admin/users")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "still not in");
    }

    [Test]
    public async Task A_token_of_another_organisations_console_opens_nothing_here()
    {
        TestOrganization mine = await NewAdminOrganizationAsync();
        TestOrganization other = await NewAdminOrganizationAsync();
        var jar = new CookieContainer();
        using HttpClient browser = Server.CreateClient(jar);
        string page = await SignInToConsoleAsync(browser, mine, $"/{mine.Slug}/admin/groups");
        string token = jar.GetCookies(new Uri(Server.BaseUrl, $"/{mine.Slug}/admin/"))["clavex-console"]!.Value;

        using HttpClient intruder = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{other.Slug}/admin/users");
        request.Headers.Add("Cookie", "clavex-console=" + token);
        HttpResponseMessage answer = await intruder.SendAsync(request);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(answer.Headers.Location!.OriginalString, Does.StartWith($"/{other.Slug}/authorize?"));

        // A change with a valid antiforgery token (the cookie is the browser's, for every path) and mine's console
        // token under other's path: the token is refused there, so the change is never made.
        jar.Add(new Uri(Server.BaseUrl, $"/{other.Slug}/admin/"), new Cookie("clavex-console", token, $"/{other.Slug}/admin"));
        HttpResponseMessage change = await browser.PostAsync($"/{other.Slug}/admin/groups", HtmlForm.Find(page, "/admin/groups").With("name", "intruders").ToContent());
        Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(change.Headers.Location!.OriginalString, Does.StartWith($"/{other.Slug}/authorize?"));
        JsonElement groups = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{other.Slug}/groups", null, HttpStatusCode.OK);
        Assert.That(groups.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString()), Does.Not.Contain("intruders"));
    }

    [Test]
    public async Task A_change_without_the_right_antiforgery_token_is_refused_and_changes_nothing()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/groups");

        HttpResponseMessage missing = await browser.PostAsync($"/{org.Slug}/admin/groups", new FormUrlEncodedContent([new("name", "forged-1")]));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        HtmlForm form = HtmlForm.Find(page, "/admin/groups");
        string wrongToken = form.Get("clavex_af")[..^4] + (form.Get("clavex_af").EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        HttpResponseMessage wrong = await browser.PostAsync(form.Action, form.With("name", "forged-2").With("clavex_af", wrongToken).ToContent());
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        JsonElement groups = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/groups", null, HttpStatusCode.OK);
        Assert.That(groups.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString()), Has.None.StartsWith("forged"));
        HttpResponseMessage right = await browser.PostAsync(form.Action, HtmlForm.Find(page, "/admin/groups").With("name", "made-here").ToContent());
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the same form with its own token works");
    }

    [Test]
    public async Task Registering_a_client_shows_its_secret_once_and_the_change_is_the_admins_in_the_audit_log()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/clients/new");

        HtmlForm form = HtmlForm.Find(page, "/admin/clients")
            .With("client_id", "reports").With("client_name", "Reports").With("token_endpoint_auth_method", "client_secret_post")
            .With("redirect_uris", "https://reports.acme.test/callback\n").With("scopes", "openid profile").With("grant_client_credentials", "on");
        HttpResponseMessage created = await browser.PostAsync(form.Action, form.ToContent());
        string shown = await created.Content.ReadAsStringAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), shown);
        string secret = SecretPattern().Match(shown).Groups[1].Value;
        Assert.That(secret, Does.StartWith("cs_"));
        Assert.That(shown, Does.Contain("data-copy=").And.Contain("/assets/console.js"));

        HttpResponseMessage token = await browser.PostAsync($"/{org.Slug}/token",
            Form(("grant_type", "client_credentials"), ("client_id", "reports"), ("client_secret", secret)));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
        string settings = await browser.GetStringAsync($"/{org.Slug}/admin/clients/reports");
        Assert.That(settings, Does.Contain("https://reports.acme.test/callback").And.Not.Contain(secret), "never shown again");
        Assert.That(await AuditDetailAsync(org.Id, "admin.client.created", "actor"), Is.EqualTo(org.AliceSubject));
    }

    [Test]
    public async Task A_rotation_shows_the_new_secret_and_the_old_one_works_until_the_overlap_ends()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/clients/atlassian");

        HtmlForm rotate = HtmlForm.Find(page, "/admin/clients/atlassian/secrets");
        HttpResponseMessage rotated = await browser.PostAsync(rotate.Action, rotate.With("previous_secret_expires_in", "3600").ToContent());
        string shown = await rotated.Content.ReadAsStringAsync();
        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.Created), shown);
        string secret = SecretPattern().Match(shown).Groups[1].Value;
        Assert.That(secret, Does.StartWith("cs_").And.Not.EqualTo(org.ClientSecret));

        string after = await browser.GetStringAsync($"/{org.Slug}/admin/clients/atlassian");
        Assert.That(Regex.Count(after, "<td>s_"), Is.EqualTo(2), "two secrets listed");
        Assert.That(await AuditDetailAsync(org.Id, "admin.client.secret_rotated", "actor"), Is.EqualTo(org.AliceSubject));
        Assert.That((await IntrospectAsync(org, secret)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await IntrospectAsync(org, org.ClientSecret)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the old secret, within the hour");
        Server.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.That((await IntrospectAsync(org, org.ClientSecret)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "and not after it");
    }

    [Test]
    public async Task A_stale_edit_is_a_conflict_that_keeps_the_other_admins_change()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/clients/atlassian");
        HtmlForm settings = HtmlForm.Find(page, "/admin/clients/atlassian");
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"client_name":"Renamed elsewhere"}""", HttpStatusCode.OK);

        HttpResponseMessage stale = await browser.PostAsync(settings.Action, WithVisibleFields(settings, page).With("client_name", "Mine").ToContent());
        string shown = await stale.Content.ReadAsStringAsync();
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), shown);
        Assert.That(shown, Does.Contain("Someone else changed client atlassian").And.Contain("value=\"Renamed elsewhere\""));
        JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/atlassian", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("client_name").GetString(), Is.EqualTo("Renamed elsewhere"));

        HtmlForm fresh = HtmlForm.Find(shown, "/admin/clients/atlassian");
        HttpResponseMessage saved = await browser.PostAsync(fresh.Action, WithVisibleFields(fresh, shown).With("client_name", "Mine").ToContent());
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await saved.Content.ReadAsStringAsync());
        client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/atlassian", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("client_name").GetString(), Is.EqualTo("Mine"));
        Assert.That(client.GetProperty("redirect_uris").GetArrayLength(), Is.EqualTo(2), "the rest of the form saved what it showed");
        Assert.That(client.GetProperty("claim_mapping").GetProperty("groups_claim_name").GetString(), Is.EqualTo("groups"));
    }

    [Test]
    public async Task A_user_added_to_a_group_in_the_console_and_the_request_found_in_the_audit_log_by_its_reference()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToConsoleAsync(browser, org, $"/{org.Slug}/admin/groups");
        HttpResponseMessage created = await browser.PostAsync($"/{org.Slug}/admin/groups", HtmlForm.Find(page, "/admin/groups").With("name", "bitbucket-users").ToContent());
        Assert.That(created.Headers.Location!.OriginalString, Is.EqualTo($"/{org.Slug}/admin/groups/bitbucket-users?done=created"));

        string group = await browser.GetStringAsync(created.Headers.Location);
        HtmlForm add = HtmlForm.Find(group, "/admin/groups/bitbucket-users/members");
        HttpResponseMessage added = await browser.PostAsync(add.Action, add.With("username", "alice").ToContent());
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await added.Content.ReadAsStringAsync());
        string reference = added.Headers.GetValues("X-Correlation-Id").Single();
        JsonElement alice = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(alice.GetProperty("groups").EnumerateArray().Select(g => g.GetString()), Does.Contain("bitbucket-users"));
        await AuditEvents.WaitForAsync(org.Id, "admin.group.member_added");

        string audit = await browser.GetStringAsync($"/{org.Slug}/admin/audit?correlation_id={reference}");
        Assert.That(audit, Does.Contain("<strong>admin.group.member_added</strong>").And.Contain("&quot;bitbucket-users&quot;").And.Not.Contain("admin.group.created"),
            "only that request's events");
    }

    [Test]
    public async Task Grant_console_admin_makes_the_first_admin_from_the_command_line()
    {
        TestOrganization org = await NewOrganizationAsync();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Docs.DocsRunner.ServerDll(), "grant-console-admin", "--organization", org.Slug, "--username", "ALICE"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CLAVEX_PUBLIC_BASE_URL"] = "https://id.acme.test";
        start.Environment["CLAVEX_CONNECTION_STRING"] = PostgresFixture.ConnectionString;
        start.Environment["CLAVEX_MASTER_KEY"] = Convert.ToBase64String(ClavexTestServer.DefaultMasterKey);
        start.Environment["CLAVEX_ADMIN_TOKEN"] = ClavexTestServer.AdminToken;
        using System.Diagnostics.Process process = System.Diagnostics.Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.That(process.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain($"is an admin of '{org.Slug}': the console is at https://id.acme.test/{org.Slug}/admin"));
        JsonElement alice = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(alice.GetProperty("groups").EnumerateArray().Select(g => g.GetString()), Does.Contain("clavex-admins"));
        Assert.That(await AuditDetailAsync(org.Id, "admin.group.member_added", "via"), Is.EqualTo("grant-console-admin"));
        using HttpClient browser = Server.CreateClient();
        Assert.That(await SignInToConsoleAsync(browser, org), Does.Contain($"<h1>Organisation {org.Slug}</h1>"));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient browser, string path, params (string Name, string Value)[] fields) =>
        browser.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    private async Task<HttpResponseMessage> IntrospectAsync(TestOrganization org, string secret)
    {
        using HttpClient rp = Server.CreateClient();
        return await rp.PostAsync($"/{org.Slug}/introspect", Form(("token", "x"), ("client_id", "atlassian"), ("client_secret", secret)));
    }

    [GeneratedRegex("<code class=\"secret\" id=\"secret-1\">([^<]+)</code>")]
    private static partial Regex SecretPattern();
}
