using System.Net;
using System.Text.RegularExpressions;
using Clavex.Tests.Admin;
using Clavex.Tests.Server;
using Clavex.Tests.Support;

namespace Clavex.Tests.AdminConsole;

/// <summary>Signing alice in to the console of a new organisation, and submitting its forms as a browser would.</summary>
public abstract class ConsoleTestBase : AdminTestBase
{
    /// <summary>A new organisation whose alice is in clavex-admins.</summary>
    internal async Task<TestOrganization> NewAdminOrganizationAsync()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", """{"name":"clavex-admins"}""", HttpStatusCode.Created);
        HttpResponseMessage added = await AdminAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/groups/clavex-admins/members/{org.AliceSubject}");
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        return org;
    }

    /// <summary>The console page <paramref name="path"/> after signing alice in, with an authenticator app set up on the way.</summary>
    internal async Task<string> SignInToConsoleAsync(HttpClient browser, TestOrganization org, string? path = null)
    {
        HttpResponseMessage page = await SignInToConsoleRawAsync(browser, org, path);
        string html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        return html;
    }

    internal async Task<HttpResponseMessage> SignInToConsoleRawAsync(
        HttpClient browser, TestOrganization org, string? path = null, string username = "alice", string? password = null)
    {
        HttpResponseMessage start = await browser.GetAsync(path ?? $"/{org.Slug}/admin");
        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await start.Content.ReadAsStringAsync());
        string location = start.Headers.Location!.OriginalString;
        HttpResponseMessage authorize = await browser.GetAsync(location);
        HtmlForm login = HtmlForm.Find(await authorize.Content.ReadAsStringAsync(), "/login");
        string enrolment = await (await browser.PostAsync(login.Action, login.With("username", username).With("password", password ?? org.AlicePassword).ToContent())).Content.ReadAsStringAsync();
        byte[] key = SecondFactorTests.KeyOf(enrolment);
        HtmlForm confirm = HtmlForm.Find(enrolment, "/mfa/enrol");
        string codes = await (await browser.PostAsync(confirm.Action, confirm.With("code", TestTotp.Code(key, Server.Clock.GetUtcNow())).ToContent())).Content.ReadAsStringAsync();
        HtmlForm next = HtmlForm.Find(codes, "/mfa/continue");
        HttpResponseMessage toCallback = await browser.PostAsync(next.Action, next.ToContent());
        Assert.That(toCallback.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await toCallback.Content.ReadAsStringAsync());
        Assert.That(toCallback.Headers.Location!.AbsolutePath, Is.EqualTo($"/{org.Slug}/admin/callback"));
        HttpResponseMessage callback = await browser.GetAsync(toCallback.Headers.Location);
        if (callback.StatusCode != HttpStatusCode.Redirect)
        {
            return callback;
        }

        Assert.That(callback.Headers.Location!.OriginalString, Is.EqualTo(path ?? $"/{org.Slug}/admin"));
        return await browser.GetAsync(callback.Headers.Location);
    }

    /// <summary>The form as a browser submits it: its hidden fields, and the text, textarea, select and checkbox values the page shows.</summary>
    internal static HtmlForm WithVisibleFields(HtmlForm form, string page)
    {
        int at = page.IndexOf("action=\"" + form.Action + "\"", StringComparison.Ordinal);
        string body = page[at..page.IndexOf("</form>", at, StringComparison.Ordinal)];
        foreach (Match input in Regex.Matches(body, "<input type=\"(?:text|number|email)\" id=\"[^\"]*\" name=\"([^\"]*)\" value=\"([^\"]*)\""))
        {
            form.With(input.Groups[1].Value, WebUtility.HtmlDecode(input.Groups[2].Value));
        }

        foreach (Match area in Regex.Matches(body, "<textarea id=\"[^\"]*\" name=\"([^\"]*)\"[^>]*>([^<]*)</textarea>"))
        {
            form.With(area.Groups[1].Value, WebUtility.HtmlDecode(area.Groups[2].Value));
        }

        foreach (Match select in Regex.Matches(body, "<select id=\"[^\"]*\" name=\"([^\"]*)\"[^>]*>(.*?)</select>", RegexOptions.Singleline))
        {
            Match chosen = Regex.Match(select.Groups[2].Value, "<option value=\"([^\"]*)\" selected=\"\"");
            form.With(select.Groups[1].Value, WebUtility.HtmlDecode(chosen.Success ? chosen.Groups[1].Value : Regex.Match(select.Groups[2].Value, "<option value=\"([^\"]*)\"").Groups[1].Value));
        }

        foreach (Match check in Regex.Matches(body, "<input type=\"checkbox\" value=\"on\" id=\"[^\"]*\" name=\"([^\"]*)\" checked=\"\""))
        {
            form.With(check.Groups[1].Value, "on");
        }

        return form;
    }
}
