using System.Net;
using System.Text.Json;
using Clavex.Core.Interaction;
using Clavex.Server.Hosting;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Server;

/// <summary>Logout, cookies, and several instances behaving as one.</summary>
public class SessionTests : ServerTestBase
{
    [Test]
    public async Task The_session_cookie_is_httponly_lax_and_scoped_to_the_organisation()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage result = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());

        string cookie = result.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("clavex_session=", StringComparison.Ordinal));
        Assert.That(cookie, Does.Contain("httponly").IgnoreCase);
        Assert.That(cookie, Does.Contain("samesite=lax").IgnoreCase);
        Assert.That(cookie, Does.Contain($"path=/{org.Slug}/").IgnoreCase);
        // Plain-http loopback development is the one case without Secure.
        Assert.That(cookie, Does.Not.Contain("secure").IgnoreCase);
    }

    [Test]
    public async Task Every_login_starts_a_new_session()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        var cookies = new CookieContainer();
        using HttpClient browser = Server.CreateClient(cookies);
        await SignInAsync(browser, org);
        string first = cookies.GetCookies(new Uri(Server.BaseUrl, $"/{org.Slug}/")).Single(c => c.Name == "clavex_session").Value;

        await SignInAsync(browser, org, AuthorizeUrl(org, extra: [("prompt", "login")]));
        string second = cookies.GetCookies(new Uri(Server.BaseUrl, $"/{org.Slug}/")).Single(c => c.Name == "clavex_session").Value;

        Assert.That(second, Is.Not.EqualTo(first));
    }

    [Test]
    public async Task Logout_with_an_id_token_hint_ends_the_session_and_returns_with_state()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient jira = Server.CreateClient();
        JsonElement tokens = await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)));
        string idToken = tokens.GetProperty("id_token").GetString()!;

        HttpResponseMessage logout = await browser.GetAsync(
            $"/{org.Slug}/logout?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString("https://jira.acme.eu/")}&state=bye");

        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(logout.Headers.Location!.AbsoluteUri, Is.EqualTo("https://jira.acme.eu/?state=bye"));
        HttpResponseMessage again = await browser.GetAsync(AuthorizeUrl(org));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the login page again: the session is gone");
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "logout"), Is.Null);
    }

    [Test]
    public async Task Logout_without_a_hint_asks_for_confirmation()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);

        HttpResponseMessage page = await browser.GetAsync($"/{org.Slug}/logout");

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        HtmlForm confirm = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/logout");
        HttpResponseMessage done = await browser.PostAsync(confirm.Action, confirm.With(Clavex.Server.Http.BrowserForm.DecisionField, Clavex.Server.Login.FormFieldNames.SignOut).ToContent());
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await browser.GetAsync(AuthorizeUrl(org))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_unregistered_post_logout_redirect_uri_is_refused()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync($"/{org.Slug}/logout?client_id=atlassian&post_logout_redirect_uri={Uri.EscapeDataString("https://evil.example/")}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "logout.refused"),
            Is.EqualTo("post_logout_redirect_uri https://evil.example/ is not registered for client atlassian"), "the page shows a Reference; the audit log says why");
    }

    [Test]
    public async Task Two_instances_on_one_database_share_codes_and_sessions()
    {
        await using ClavexTestServer second = await ClavexTestServer.StartAsync(publicBaseUrl: Server.BaseUrl);
        TestOrganization org = await Server.SeedOrganizationAsync();
        var cookies = new CookieContainer();
        using HttpClient browserAtFirst = Server.CreateClient(cookies);
        Uri callback = await SignInAsync(browserAtFirst, org);

        // The code issued by the first instance is redeemed at the second.
        using HttpClient jiraAtSecond = second.CreateClient();
        HttpResponseMessage token = await jiraAtSecond.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
        Assert.That(TokenIssuer((await JsonAsync(token)).GetProperty("id_token").GetString()!), Is.EqualTo(org.Issuer));

        // The session created at the first instance is seen by the second: no login page there.
        var secondCookies = new CookieContainer();
        foreach (Cookie cookie in cookies.GetCookies(new Uri(Server.BaseUrl, $"/{org.Slug}/")))
        {
            secondCookies.Add(new Uri(second.BaseUrl, $"/{org.Slug}/"), new Cookie(cookie.Name, cookie.Value, cookie.Path));
        }

        using HttpClient browserAtSecond = second.CreateClient(secondCookies);
        HttpResponseMessage authorize = await browserAtSecond.GetAsync(AuthorizeUrl(org));
        Assert.That(authorize.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(authorize.Headers.Location!)["code"], Is.Not.Empty);
    }

    [Test]
    public async Task Start_dev_seeding_twice_seeds_once()
    {
        // Its own database: the demo organisation's slug is fixed.
        string database = await PostgresFixture.CreateDatabaseAsync("seed");
        await ClavexCommand.MigrateAsync(database);
        await using ClavexTestServer server = await ClavexTestServer.StartAsync(connectionString: database);
        var state = new DevState
        {
            PostgresPort = 0, MasterKey = "", AdminToken = ClavexTestServer.AdminToken, AlicePassword = "dev-password-1", ClientSecret = "cs_devsecret0123456789abcdefghijklmnopqrstuvwxyzAB",
        };

        await DevSeeder.SeedAsync(server.Services, state);
        await DevSeeder.SeedAsync(server.Services, state);

        var organization = await server.Services.GetRequiredService<PgOrganizationStore>().FindBySlugAsync("acme", CancellationToken.None);
        Assert.That(organization, Is.Not.Null);
        var client = await server.Services.GetRequiredService<PgClientStore>().FindAsync(organization!.Id, "atlassian", CancellationToken.None);
        Assert.That(client!.Secrets, Has.Count.EqualTo(1));
        Assert.That(client.RedirectUris, Is.EqualTo(DevSeeder.AtlassianRedirectUris));
        Assert.That(client.TokenEndpointAuthMethod, Is.EqualTo(Core.Clients.TokenEndpointAuthMethod.ClientSecretPost));
        var alice = await server.Services.GetRequiredService<PgUserStore>().FindBySubjectAsync(organization.Id,
            (await server.Services.GetRequiredService<PgUserStore>().FindByUsernameAsync(organization.Id, "alice", CancellationToken.None))!.User.Subject, CancellationToken.None);
        Assert.That(alice!.Groups, Is.EquivalentTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));
    }

    [Test]
    public async Task A_restart_of_start_dev_never_undoes_an_admins_change_unless_a_variable_asks_for_it()
    {
        string database = await PostgresFixture.CreateDatabaseAsync("reseed");
        await ClavexCommand.MigrateAsync(database);
        await using ClavexTestServer server = await ClavexTestServer.StartAsync(connectionString: database);
        var state = new DevState
        {
            PostgresPort = 0, MasterKey = "", AdminToken = ClavexTestServer.AdminToken, AlicePassword = "dev-password-1", ClientSecret = "cs_devsecret0123456789abcdefghijklmnopqrstuvwxyzAB",
        };
        DevSeed first = await DevSeeder.SeedAsync(server.Services, state);
        Assert.That((first.AlicePasswordWorks, first.ClientSecretWorks), Is.EqualTo((true, true)));
        var users = server.Services.GetRequiredService<PgUserStore>();
        var clients = server.Services.GetRequiredService<PgClientStore>();
        long org = (await server.Services.GetRequiredService<PgOrganizationStore>().FindBySlugAsync("acme", CancellationToken.None))!.Id;
        string alice = (await users.FindByUsernameAsync(org, "alice", CancellationToken.None))!.User.Subject;
        var hasher = server.Services.GetRequiredService<Clavex.Server.Login.PasswordHasher>();

        // An admin changes alice's password and deletes the client.
        await users.SetPasswordHashAsync(org, alice, hasher.Hash("an admin's new passphrase"), CancellationToken.None);
        await clients.DeleteAsync(org, "atlassian", DateTimeOffset.UtcNow, CancellationToken.None);
        DevSeed restart = await DevSeeder.SeedAsync(server.Services, state);

        Assert.That((restart.AlicePasswordWorks, restart.ClientSecretWorks), Is.EqualTo((false, false)));
        Assert.That(await clients.FindAsync(org, "atlassian", CancellationToken.None), Is.Null, "the deleted client stays deleted");
        UserCredentials credentials = (await users.FindByUsernameAsync(org, "alice", CancellationToken.None))!;
        Assert.That(hasher.Verify("an admin's new passphrase", credentials.PasswordHash), Is.Not.EqualTo(PasswordVerification.Failed));

        DevSeed asked = await DevSeeder.SeedAsync(server.Services, state with { PasswordFromEnvironment = true });
        Assert.That(asked.AlicePasswordWorks, Is.True, "CLAVEX_DEV_PASSWORD set for this start is applied");
        credentials = (await users.FindByUsernameAsync(org, "alice", CancellationToken.None))!;
        Assert.That(hasher.Verify("dev-password-1", credentials.PasswordHash), Is.Not.EqualTo(PasswordVerification.Failed));
    }

    private static string TokenIssuer(string jwt) => Token.TokenTestSupport.Payload(jwt).GetProperty("iss").GetString()!;
}
