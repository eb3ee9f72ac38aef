using System.Net;
using System.Text.Json;
using System.Web;
using Clavex.Core.Clients;
using Clavex.Core.Interaction;
using Clavex.Tests.Admin;
using Clavex.Tests.Server;
using Clavex.Tests.Support;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using OpenQA.Selenium.VirtualAuth;

namespace Clavex.Tests.Interop;

/// <summary>
/// Issue 13: passkeys in a real browser. Headless Chromium with a WebDriver virtual authenticator (CTAP2, resident
/// keys, user verification) at <c>http://localhost:PORT</c> (WebAuthn needs a secure context and a domain as RP ID):
/// a passkey registered at the enrolment page, then used as the second factor after the password and alone from the
/// login page's passkey button, and refused once an admin removed it. Each sign-in ends at the client's redirect URI,
/// and the test redeems the code to read the ID token's amr and acr.
/// </summary>
public class PasskeyChromiumTests : ServerTestBase
{
    private static readonly TimeSpan Wait = Chromium.Wait;

    private protected override Task<ClavexTestServer> CreateServerAsync() => ClavexTestServer.StartAsync(localhostName: true);

    [Test]
    public async Task Chromium_registers_a_passkey_then_signs_in_with_it_after_the_password_and_alone_and_not_after_it_is_removed()
    {
        using var chromium = Chromium.Start();
        ChromeDriverWithAuthenticator(chromium);
        TestOrganization org = await Server.SeedOrganizationAsync();
        string issuer = org.Issuer;
        Assert.That(issuer, Does.StartWith("http://localhost:"));
        await PatchOrganizationAsync(org, """{"mfa_policy":"required","passwordless":true}""");
        RegisteredClient client = await InteropClients.RegisterAsync(Server, org, "passkey-app", new Uri(issuer).Port, TokenEndpointAuthMethod.ClientSecretPost);
        ChromeDriver browser = chromium.Driver;

        // Password, then enrolment: the passkey form is shown because the script found WebAuthn.
        SignInWithPassword(browser, org, client);
        IWebElement create = Until(browser, d => d.FindElements(By.XPath("//button[.='Create a passkey']")).FirstOrDefault(b => b.Displayed));
        Assert.That(browser.FindElement(By.TagName("h1")).Text, Is.EqualTo("Set up a second factor"));
        browser.FindElement(By.Name("passkey_name")).SendKeys("Virtual key");
        chromium.SaveScreenshot("clavex-passkey-enrolment-page.png", "Enrolling a passkey (or an authenticator app) at sign-in");
        create.Click();
        UntilTrue(browser, d => d.FindElements(By.CssSelector("ul.codes li")).Count == 10);
        browser.FindElement(By.CssSelector("button[type=submit]")).Click();
        JsonElement enrolled = await RedeemAsync(org, client, WaitForCode(browser, client));
        Assert.That(AdminTestBase.IdTokenClaim(enrolled, "amr"), Is.EqualTo("""["pwd","hwk","mfa"]"""));
        Assert.That(await AdminTestBase.AuditDetailAsync(org.Id, "mfa.passkey_registered", "name"), Is.EqualTo("Virtual key"));
        Assert.That(browser.GetCredentials(), Has.Count.EqualTo(1));

        // A new browser session: password, then the passkey as the second factor.
        ClearClavexCookies(browser, issuer);
        SignInWithPassword(browser, org, client);
        IWebElement use = Until(browser, d => d.FindElements(By.XPath("//button[.='Use a passkey']")).FirstOrDefault(b => b.Displayed));
        Assert.That(browser.FindElement(By.TagName("h1")).Text, Is.EqualTo("Verify it is you"));
        chromium.SaveScreenshot("clavex-passkey-second-factor-page.png", "The second-factor page with a passkey");
        use.Click();
        JsonElement second = await RedeemAsync(org, client, WaitForCode(browser, client));
        Assert.That(AdminTestBase.IdTokenClaim(second, "amr"), Is.EqualTo("""["pwd","hwk","mfa"]"""));
        Assert.That(AdminTestBase.IdTokenClaim(second, "acr"), Is.EqualTo("\"urn:clavex:acr:mfa\""));

        // Passwordless: the login page's passkey button, no username typed.
        ClearClavexCookies(browser, issuer);
        browser.Navigate().GoToUrl(AuthorizeUrl(issuer, client));
        IWebElement passwordless = Until(browser, d => d.FindElements(By.XPath("//button[.='Sign in with a passkey']")).FirstOrDefault(b => b.Displayed));
        chromium.SaveScreenshot("clavex-passkey-login-page.png", "The login page with the passkey button (passwordless allowed)");
        passwordless.Click();
        JsonElement alone = await RedeemAsync(org, client, WaitForCode(browser, client));
        Assert.That(AdminTestBase.IdTokenClaim(alone, "amr"), Is.EqualTo("""["hwk","user","mfa"]"""));
        Assert.That(AdminTestBase.IdTokenClaim(alone, "sub"), Is.EqualTo($"\"{org.AliceSubject}\""));

        // An admin removes the passkey: the authenticator still offers it, Clavex refuses it.
        using (HttpClient admin = Server.CreateClient())
        {
            JsonElement factors = JsonDocument.Parse(await AdminAsync(admin, HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/factors", HttpStatusCode.OK)).RootElement;
            string id = factors.GetProperty("passkeys")[0].GetProperty("id").GetString()!;
            Assert.That(factors.GetProperty("passkeys")[0].GetProperty("last_used_at").ValueKind, Is.EqualTo(JsonValueKind.String));
            await AdminAsync(admin, HttpMethod.Delete, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/factors/passkeys/{id}", HttpStatusCode.NoContent);
        }

        ClearClavexCookies(browser, issuer);
        browser.Navigate().GoToUrl(AuthorizeUrl(issuer, client));
        Until(browser, d => d.FindElements(By.XPath("//button[.='Sign in with a passkey']")).FirstOrDefault(b => b.Displayed)).Click();
        UntilTrue(browser, d => d.PageSource.Contains("That passkey was not accepted", StringComparison.Ordinal));
        Assert.That(browser.Url, Does.StartWith(issuer + "/login/passkey"));
        Assert.That(await AdminTestBase.AuditDetailAsync(org.Id, "login.failed", "reason"), Is.EqualTo(PasskeyFailureReasons.UnknownCredential));
    }

    [Test]
    public async Task Chromium_adds_a_passkey_on_the_account_page_and_signs_in_to_it_with_that_passkey_alone()
    {
        using var chromium = Chromium.Start();
        ChromeDriverWithAuthenticator(chromium);
        TestOrganization org = await Server.SeedOrganizationAsync();
        await PatchOrganizationAsync(org, """{"passwordless":true}""");
        ChromeDriver browser = chromium.Driver;

        browser.Navigate().GoToUrl(org.Issuer + "/account");
        IWebElement password = Until(browser, d => d.FindElement(By.Name("password")));
        Assert.That(browser.FindElement(By.TagName("h1")).Text, Is.EqualTo("Sign in to your account"));
        browser.FindElement(By.Name("username")).SendKeys("alice");
        password.SendKeys(org.AlicePassword);
        password.Submit();
        IWebElement add = Until(browser, d => d.FindElements(By.XPath("//button[.='Add a passkey']")).FirstOrDefault(b => b.Displayed));
        Assert.That(browser.Url, Is.EqualTo(org.Issuer + "/account"));
        Assert.That(browser.FindElement(By.TagName("body")).Text, Does.Contain("You have no passkeys."));
        chromium.SaveScreenshot("clavex-account-page.png", "The account page");
        browser.FindElement(By.Name("passkey_name")).SendKeys("Laptop");
        add.Click();
        UntilTrue(browser, d => d.FindElements(By.CssSelector("ul.codes li")).Count == 10);
        Assert.That(browser.FindElement(By.TagName("body")).Text, Does.Contain("Laptop").And.Contain("Your new recovery codes"));

        // Signed out: the account page's sign-in, with the passkey alone.
        ClearClavexCookies(browser, org.Issuer);
        browser.Navigate().GoToUrl(org.Issuer + "/account");
        Until(browser, d => d.FindElements(By.XPath("//button[.='Sign in with a passkey']")).FirstOrDefault(b => b.Displayed)).Click();
        UntilTrue(browser, d => d.Url == org.Issuer + "/account" && d.PageSource.Contains("Signed in as", StringComparison.Ordinal));
        string body = browser.FindElement(By.TagName("body")).Text;
        Assert.That(body, Does.Contain("Laptop (this device only)").And.Not.Contain("last used never"));
        Assert.That(await AdminTestBase.AuditDetailAsync(org.Id, "login.succeeded", "amr"), Is.EqualTo("hwk user mfa"));
    }

    private static void ChromeDriverWithAuthenticator(Chromium chromium) =>
        chromium.Driver.AddVirtualAuthenticator(new VirtualAuthenticatorOptions()
            .SetProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
            .SetTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
            .SetHasResidentKey(true)
            .SetHasUserVerification(true)
            .SetIsUserVerified(true));

    private static string AuthorizeUrl(string issuer, RegisteredClient client)
    {
        var query = HttpUtility.ParseQueryString(string.Empty);
        query["response_type"] = "code";
        query["client_id"] = client.ClientId;
        query["redirect_uri"] = client.RedirectUri;
        query["scope"] = "openid profile";
        query["state"] = State;
        query["nonce"] = Nonce;
        return issuer + "/authorize?" + query;
    }

    private static void SignInWithPassword(ChromeDriver browser, TestOrganization org, RegisteredClient client)
    {
        browser.Navigate().GoToUrl(AuthorizeUrl(org.Issuer, client));
        IWebElement password = Until(browser, d => d.FindElement(By.Name("password")));
        browser.FindElement(By.Name("username")).SendKeys("alice");
        password.SendKeys(org.AlicePassword);
        password.Submit();
    }

    /// <summary>The code the browser was redirected to the client with (the client itself is not running).</summary>
    private static string WaitForCode(ChromeDriver browser, RegisteredClient client)
    {
        try
        {
            string url = Until(browser, d => d.Url.StartsWith(client.RedirectUri + "?", StringComparison.Ordinal) ? d.Url : null);
            var query = HttpUtility.ParseQueryString(new Uri(url).Query);
            Assert.That(query["state"], Is.EqualTo(State));
            return query["code"] ?? throw new AssertionException($"No code in {url}");
        }
        catch (WebDriverTimeoutException)
        {
            throw new AssertionException($"Chromium did not reach the client; it is at {browser.Url}: {browser.FindElement(By.TagName("body")).Text}");
        }
    }

    private async Task<JsonElement> RedeemAsync(TestOrganization org, RegisteredClient client, string code)
    {
        using HttpClient rp = Server.CreateClient();
        HttpResponseMessage response = await rp.PostAsync($"/{org.Slug}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = client.RedirectUri,
            ["client_id"] = client.ClientId,
            ["client_secret"] = client.Secret,
        }));
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>Clavex's cookies live on its host (and under the issuer's path): clear them there.</summary>
    private static void ClearClavexCookies(ChromeDriver browser, string issuer)
    {
        browser.Navigate().GoToUrl(issuer + "/.well-known/openid-configuration");
        browser.Manage().Cookies.DeleteAllCookies();
    }

    private async Task PatchOrganizationAsync(TestOrganization org, string json)
    {
        using HttpClient admin = Server.CreateClient();
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        patch.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ClavexTestServer.AdminToken);
        HttpResponseMessage response = await admin.SendAsync(patch);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> AdminAsync(HttpClient admin, HttpMethod method, string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ClavexTestServer.AdminToken);
        HttpResponseMessage response = await admin.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return body;
    }

    private static void UntilTrue(ChromeDriver browser, Func<IWebDriver, bool> condition) => new WebDriverWait(browser, Wait).Until(condition);

    private static T Until<T>(ChromeDriver browser, Func<IWebDriver, T?> condition)
        where T : class => new WebDriverWait(browser, Wait).Until(condition)!;
}
