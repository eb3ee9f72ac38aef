using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Tests.Server;
using Clavex.Tests.Support;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace Clavex.Tests.Interop;

/// <summary>
/// A real browser: Debian's headless Chromium, driven by Selenium through /usr/bin/chromedriver, opens the ASP.NET
/// Core test app, is sent to Clavex's login page, and types alice's credentials as a person would.
/// </summary>
public class HeadlessChromiumTests : ServerTestBase
{
    private static readonly TimeSpan Wait = Chromium.Wait;

    [Test]
    // Regression: the login page once allowed only form-action 'self', and Chromium applies form-action to the 303
    // that answers the POST, so the redirect to the relying party's callback was blocked.
    public async Task Chromium_signs_alice_in_at_the_login_page_and_lands_back_in_the_app()
    {
        await using BrowserSession session = await StartAsync();
        IWebDriver chromium = session.Driver;

        chromium.Navigate().GoToUrl(new Uri(session.App.BaseUrl, "/protected"));
        IWebElement password = new WebDriverWait(chromium, Wait).Until(d => d.FindElement(By.Name("password")));
        Assert.That(chromium.Url, Does.StartWith(session.Org.Issuer + "/authorize"));

        chromium.FindElement(By.Name("username")).SendKeys("alice");
        password.SendKeys(session.Org.AlicePassword);
        password.Submit();

        string protectedUrl = new Uri(session.App.BaseUrl, "/protected").AbsoluteUri;
        try
        {
            new WebDriverWait(chromium, Wait).Until(d => d.Url == protectedUrl && d.PageSource.Contains("preferred_username", StringComparison.Ordinal));
        }
        catch (WebDriverTimeoutException)
        {
            Assert.Fail($"Chromium did not land back in the app; it is at {chromium.Url}");
        }

        JsonElement me = JsonDocument.Parse(chromium.FindElement(By.TagName("body")).Text).RootElement;
        Assert.That(me.GetProperty("name").GetString(), Is.EqualTo("alice"));
        var claims = me.GetProperty("claims").EnumerateArray().Select(c => (c.GetProperty("type").GetString(), c.GetProperty("value").GetString())).ToList();
        Assert.That(claims, Does.Contain(("sub", session.Org.AliceSubject)));
        Assert.That(claims, Does.Contain(("email", "alice@acme.eu")));
        Assert.That(claims, Does.Contain(("groups", "jira-administrators")));
    }

    [Test]
    public async Task Chromium_shows_the_error_for_a_wrong_password()
    {
        await using BrowserSession session = await StartAsync();
        IWebDriver chromium = session.Driver;
        chromium.Navigate().GoToUrl(new Uri(session.App.BaseUrl, "/protected"));
        IWebElement password = new WebDriverWait(chromium, Wait).Until(d => d.FindElement(By.Name("password")));
        session.Chromium.SaveScreenshot("clavex-login-page.png", "Clavex's login page as Chromium shows it");

        chromium.FindElement(By.Name("username")).SendKeys("alice");
        password.SendKeys("not alice's password");
        password.Submit();

        new WebDriverWait(chromium, Wait).Until(d => d.PageSource.Contains("incorrect", StringComparison.Ordinal));
        Assert.That(chromium.FindElement(By.TagName("body")).Text, Does.Contain("The username or password is incorrect."));
        Assert.That(chromium.Url, Does.StartWith(session.Org.Issuer));
        Assert.That(await AuditEvents.WaitForAsync(session.Org.Id, "login.failed"), Is.EqualTo("wrong_password"));
    }

    [Test]
    public async Task Chromium_enrols_an_authenticator_app_when_mfa_is_required_and_gives_a_code_at_the_next_sign_in()
    {
        await using BrowserSession session = await StartAsync();
        IWebDriver chromium = session.Driver;
        using (HttpClient admin = Server.CreateClient())
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/organizations/{session.Org.Slug}")
            {
                Content = new StringContent("""{"mfa_policy":"required"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            patch.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ClavexTestServer.AdminToken);
            Assert.That((await admin.SendAsync(patch)).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        }

        Uri protectedUrl = new(session.App.BaseUrl, "/protected");
        SignInWithPassword(chromium, session);
        IWebElement code = new WebDriverWait(chromium, Wait).Until(d => d.FindElement(By.Name("code")));
        Assert.That(chromium.FindElement(By.TagName("h1")).Text, Is.EqualTo("Set up a second factor"));
        Assert.That(chromium.FindElements(By.CssSelector(".qr svg")), Has.Count.EqualTo(1));
        session.Chromium.SaveScreenshot("clavex-mfa-enrolment-page.png", "Enrolling an authenticator app at sign-in");
        byte[] secret = TestTotp.FromBase32(chromium.FindElement(By.CssSelector(".key code")).Text.Replace(" ", string.Empty, StringComparison.Ordinal));
        code.SendKeys(TestTotp.Code(secret, Server.Clock.GetUtcNow()));
        code.Submit();

        new WebDriverWait(chromium, Wait).Until(d => d.FindElements(By.CssSelector("ul.codes li")).Count == 10);
        session.Chromium.SaveScreenshot("clavex-mfa-recovery-codes-page.png", "The recovery codes, shown once after enrolment");
        chromium.FindElement(By.CssSelector("button[type=submit]")).Click();
        WaitForApp(chromium, protectedUrl);
        Assert.That(ClaimsOf(chromium), Does.Contain(("amr", "mfa")));

        // A new browser session: password, then the app's next code. Clavex's cookies are scoped to the issuer's path.
        chromium.Manage().Cookies.DeleteAllCookies();
        chromium.Navigate().GoToUrl(session.Org.Issuer + "/.well-known/openid-configuration");
        chromium.Manage().Cookies.DeleteAllCookies();
        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        SignInWithPassword(chromium, session);
        IWebElement second = new WebDriverWait(chromium, Wait).Until(d => d.FindElement(By.Name("code")));
        Assert.That(chromium.FindElement(By.TagName("h1")).Text, Is.EqualTo("Verify it is you"));
        session.Chromium.SaveScreenshot("clavex-mfa-code-page.png", "The second-factor page");
        second.SendKeys(TestTotp.Code(secret, Server.Clock.GetUtcNow()));
        second.Submit();
        WaitForApp(chromium, protectedUrl);
        Assert.That(ClaimsOf(chromium), Does.Contain(("amr", "otp")));
    }

    private static void SignInWithPassword(IWebDriver chromium, BrowserSession session)
    {
        chromium.Navigate().GoToUrl(new Uri(session.App.BaseUrl, "/protected"));
        IWebElement password = new WebDriverWait(chromium, Wait).Until(d => d.FindElement(By.Name("password")));
        chromium.FindElement(By.Name("username")).SendKeys("alice");
        password.SendKeys(session.Org.AlicePassword);
        password.Submit();
    }

    private static void WaitForApp(IWebDriver chromium, Uri protectedUrl)
    {
        try
        {
            new WebDriverWait(chromium, Wait).Until(d => d.Url == protectedUrl.AbsoluteUri && d.PageSource.Contains("preferred_username", StringComparison.Ordinal));
        }
        catch (WebDriverTimeoutException)
        {
            Assert.Fail($"Chromium did not land back in the app; it is at {chromium.Url}");
        }
    }

    private static List<(string?, string?)> ClaimsOf(IWebDriver chromium) =>
        [.. JsonDocument.Parse(chromium.FindElement(By.TagName("body")).Text).RootElement.GetProperty("claims").EnumerateArray()
            .Select(c => (c.GetProperty("type").GetString(), c.GetProperty("value").GetString()))];

    private async Task<BrowserSession> StartAsync()
    {
        var chromium = Chromium.Start();
        TestOrganization org = await Server.SeedOrganizationAsync();
        int port = AspNetCoreRelyingParty.FreePort();
        RegisteredClient client = await InteropClients.RegisterAsync(Server, org, "aspnetcore", port, TokenEndpointAuthMethod.ClientSecretPost);
        AspNetCoreRelyingParty app = await AspNetCoreRelyingParty.StartAsync(org.Issuer, port, client, clientSecretBasic: false);
        return new BrowserSession(org, app, chromium);
    }

    private sealed record BrowserSession(TestOrganization Org, AspNetCoreRelyingParty App, Chromium Chromium) : IAsyncDisposable
    {
        public IWebDriver Driver => Chromium.Driver;

        public async ValueTask DisposeAsync()
        {
            Chromium.Dispose();
            await App.DisposeAsync();
        }
    }
}
