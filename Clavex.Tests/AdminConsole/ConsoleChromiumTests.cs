using System.Drawing;
using Clavex.Tests.Support;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace Clavex.Tests.AdminConsole;

/// <summary>
/// Issue 14: the console in a real browser (Debian's headless Chromium): sign in with an authenticator app set up on
/// the way, register a client and see its secret with a working copy button, rotate a secret, add a user to a group,
/// run the sign-in debugger and the readiness check, preview a claim mapping, and open an error page's reference in the
/// audit log. The screenshots are docs/console.md's.
/// </summary>
public class ConsoleChromiumTests : ConsoleTestBase
{
    [Test]
    public async Task An_admin_goes_from_sign_in_to_a_checked_client_in_the_browser()
    {
        TestOrganization org = await NewAdminOrganizationAsync();
        using var chromium = Chromium.Start();
        OpenQA.Selenium.Chrome.ChromeDriver browser = chromium.Driver;
        browser.Manage().Window.Size = new Size(1280, 1000);
        var wait = new WebDriverWait(browser, Chromium.Wait);
        // A condition may read an element of the page just being replaced by the next one.
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));

        browser.Navigate().GoToUrl(org.Issuer + "/admin");
        wait.Until(d => d.FindElement(By.Name("password")));
        browser.FindElement(By.Name("username")).SendKeys("alice");
        browser.FindElement(By.Name("password")).SendKeys(org.AlicePassword);
        browser.FindElement(By.CssSelector("form[action$='/login'] button[type=submit]")).Click();
        IWebElement code = wait.Until(d => d.FindElement(By.Name("code")));
        byte[] key = TestTotp.FromBase32(browser.FindElement(By.CssSelector(".key code")).Text.Replace(" ", string.Empty, StringComparison.Ordinal));
        code.SendKeys(TestTotp.Code(key, Server.Clock.GetUtcNow()));
        code.Submit();
        wait.Until(d => d.FindElements(By.CssSelector("ul.codes li")).Count == 10);
        browser.FindElement(By.CssSelector("button[type=submit]")).Click();
        wait.Until(d => d.FindElement(By.TagName("h1")).Text == "Organisation " + org.Slug);
        Assert.That(browser.FindElement(By.CssSelector("header span")).Text, Is.EqualTo("alice"));
        chromium.SaveScreenshot("console-home.png", "The console's start page");

        // A client, with its secret shown once and the copy button the console's script reveals.
        browser.Navigate().GoToUrl(org.Issuer + "/admin/clients/new");
        browser.FindElement(By.Name("client_id")).SendKeys("bitbucket");
        browser.FindElement(By.Name("client_name")).SendKeys("Bitbucket");
        browser.FindElement(By.Name("redirect_uris")).SendKeys("https://bitbucket.acme.eu/plugins/servlet/oidc/callback");
        browser.FindElement(By.CssSelector("form[action$='/admin/clients'] button[type=submit]")).Click();
        IWebElement secret = wait.Until(d => d.FindElement(By.CssSelector("code.secret")));
        Assert.That(secret.Text, Does.StartWith("cs_"));
        IWebElement copy = browser.FindElement(By.CssSelector("button[data-copy]"));
        Assert.That(copy.Displayed, Is.True, "the script revealed the copy button");
        copy.Click();
        wait.Until(d => d.FindElement(By.Id("secret-1-status")).Text == "Copied to the clipboard.");
        chromium.SaveScreenshot("console-client-secret.png", "A new client's secret, shown once");

        // A rotation of the Atlassian client's secret.
        browser.Navigate().GoToUrl(org.Issuer + "/admin/clients/atlassian");
        browser.FindElement(By.CssSelector("form[action$='/secrets'] button[type=submit]")).Click();
        wait.Until(d => d.FindElement(By.TagName("h1")).Text == "New secret for atlassian");
        Assert.That(browser.FindElement(By.CssSelector("code.secret")).Text, Does.StartWith("cs_").And.Not.EqualTo(org.ClientSecret));

        // A membership, from the user's page.
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", """{"name":"bitbucket-users"}""", System.Net.HttpStatusCode.Created);
        browser.Navigate().GoToUrl($"{org.Issuer}/admin/users/{org.AliceSubject}");
        browser.FindElement(By.CssSelector("#f-group option[value='bitbucket-users']")).Click();
        browser.FindElement(By.CssSelector("form[action$='/groups'] button[type=submit]")).Click();
        Assert.That(wait.Until(d => d.FindElement(By.CssSelector("p.notice"))).Text, Is.EqualTo("The user is added to the group."));
        Assert.That(browser.FindElements(By.CssSelector("table a")).Select(a => a.Text), Does.Contain("bitbucket-users"));
        chromium.SaveScreenshot("console-user.png", "A user's page");

        // The sign-in debugger.
        browser.Navigate().GoToUrl(org.Issuer + "/admin/clients/atlassian/test");
        browser.FindElement(By.Name("username")).SendKeys("alice");
        browser.FindElement(By.CssSelector("form[action$='/test'] button[type=submit]")).Click();
        IWebElement groups = wait.Until(d => d.FindElement(By.XPath("//h2[text()='ID token']/following-sibling::table[1]//tr[td/code='groups']/td[2]")));
        Assert.That(groups.Text, Does.Contain("\"bitbucket-users\"").And.Contain("\"jira-administrators\""));
        browser.ExecuteScript("document.querySelector('h2').scrollIntoView()");
        chromium.SaveScreenshot("console-test-sign-in.png", "The sign-in debugger");

        // The readiness check, with one item failing: a group Jira does not have.
        browser.Navigate().GoToUrl(org.Issuer + "/admin/clients/atlassian/readiness");
        browser.FindElement(By.Name("username")).SendKeys("alice");
        browser.FindElement(By.Name("jira_url")).SendKeys("https://jira.acme.eu");
        browser.FindElement(By.Name("confluence_url")).SendKeys("https://confluence.acme.eu");
        browser.FindElement(By.Name("atlassian_groups")).SendKeys("jira-administrators\njira-software-users\nconfluence-users\nclavex-admins");
        browser.FindElement(By.CssSelector("form[action$='/readiness'] button[type=submit]")).Click();
        IWebElement failed = wait.Until(d => d.FindElement(By.XPath("//tr[td[1]='Group names']/td[2]")));
        Assert.That(failed.Text, Is.EqualTo("fail"));
        Assert.That(browser.FindElement(By.XPath("//tr[td[1]='Group names']/td[3]")).Text, Does.Contain("bitbucket-users"));
        Assert.That(browser.FindElement(By.CssSelector("p.alert")).Text, Is.EqualTo("1 item failed. Fix them before switching Jira or Confluence to SSO."));
        chromium.SaveScreenshot("console-readiness.png", "The Atlassian readiness check with one failing item");

        // A claim-mapping preview that lists alice losing groups.
        browser.Navigate().GoToUrl(org.Issuer + "/admin/clients/atlassian");
        browser.FindElement(By.Name("group_prefix")).SendKeys("jira-");
        browser.FindElement(By.CssSelector("button[name=preview]")).Click();
        IWebElement lost = wait.Until(d => d.FindElement(By.XPath("//section//tr[td[1]='alice']/td[3]")));
        Assert.That(lost.Text, Is.EqualTo("bitbucket-users, clavex-admins, confluence-users"));
        chromium.SaveScreenshot("console-claim-preview.png", "A claim-mapping preview");

        // An error page's reference, opened in the audit log.
        browser.Navigate().GoToUrl(org.Issuer + "/authorize?client_id=atlassian&response_type=code&scope=openid&redirect_uri=https://evil.example/cb");
        string reference = wait.Until(d => d.FindElement(By.CssSelector("main p code"))).Text;
        browser.Navigate().GoToUrl(org.Issuer + "/admin");
        browser.FindElement(By.Name("correlation_id")).SendKeys(reference);
        browser.FindElement(By.CssSelector("form[action$='/admin/audit'] button[type=submit]")).Click();
        wait.Until(d => d.FindElement(By.CssSelector("main h2")).Text == "Request " + reference);
        IWebElement summary = browser.FindElement(By.CssSelector("main h2 + p"));
        Assert.That(summary.Text, Does.StartWith("It failed at authorize.rejected"));
        chromium.SaveScreenshot("console-audit-reference.png", "An error page's reference in the audit log");

        // The operator's console: the admin token, then an organisation's policies.
        browser.Navigate().GoToUrl(new Uri(Server.BaseUrl, "/admin"));
        browser.FindElement(By.Name("admin_token")).SendKeys(ClavexTestServer.AdminToken);
        browser.FindElement(By.CssSelector("form[action='/admin/sign-in'] button[type=submit]")).Click();
        wait.Until(d => d.FindElement(By.TagName("h1")).Text == "Organisations");
        browser.FindElement(By.LinkText(org.Slug)).Click();
        wait.Until(d => d.FindElement(By.TagName("h1")).Text == "Organisation " + org.Slug);
        Assert.That(browser.FindElement(By.Id("f-signing_algorithm")).GetAttribute("value"), Is.EqualTo("RS256"));
        chromium.SaveScreenshot("console-operator-organization.png", "An organisation's policies in the operator's console");
    }
}
