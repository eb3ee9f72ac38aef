using System.Net;
using System.Text.RegularExpressions;
using Clavex.Server.Account;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 13: the self-service account page. The user signs in to it through a real authorization request of the
/// organisation's clavex-account client (code + PKCE), changes their password (current password required), ends
/// sessions, manages factors and recovery codes; a change after the last factor grew old asks for a new sign-in.
/// </summary>
public partial class AccountPageTests : AdminTestBase
{
    [Test]
    public async Task The_account_page_signs_the_user_in_through_its_own_client_and_shows_sessions_and_sign_ins()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage start = await browser.GetAsync($"/{org.Slug}/account");
        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        string authorize = start.Headers.Location!.OriginalString;
        Assert.That(authorize, Does.StartWith($"/{org.Slug}/authorize?").And.Contain("client_id=clavex-account").And.Contain("code_challenge_method=S256"));
        string page = await SignInToAccountAsync(browser, org, authorize);

        Assert.That(page, Does.Contain("Signed in as <strong>alice</strong>").And.Contain("(this browser)").And.Contain("Signed in – "));
        Assert.That(await AuditDetailAsync(org.Id, "token.issued", "grant_type"), Is.EqualTo("authorization_code"));
        System.Text.Json.JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/clavex-account", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("token_endpoint_auth_method").GetString(), Is.EqualTo("none"));
        Assert.That(client.GetProperty("require_pkce").GetBoolean(), Is.True);
        Assert.That(client.GetProperty("redirect_uris")[0].GetString(), Is.EqualTo(org.Issuer + "/account/callback"));
    }

    [Test]
    public async Task A_password_change_needs_the_current_password_and_the_policy_and_ends_the_other_sessions_and_every_grant()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient other = Server.CreateClient();
        using HttpClient jira = Server.CreateClient();
        Uri issued = await ServerTestBase.SignInAsync(other, org, AuthorizeUrl(org, "openid offline_access"));
        System.Text.Json.JsonElement tokens = await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, issued)));
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToAccountAsync(browser, org);
        Assert.That(SessionIds(page), Has.Length.EqualTo(2));

        HttpResponseMessage wrong = await PostAsync(browser, page, "/account/password", ("current_password", "not it"), ("new_password", "a much longer new passphrase"));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("Your current password is not right."));
        HttpResponseMessage weak = await PostAsync(browser, page, "/account/password", ("current_password", org.AlicePassword), ("new_password", "password1"));
        Assert.That(weak.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await weak.Content.ReadAsStringAsync(), Does.Contain("The new password"));

        HttpResponseMessage changed = await PostAsync(browser, page, "/account/password", ("current_password", org.AlicePassword), ("new_password", "a much longer new passphrase"));
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(changed.Headers.Location!.OriginalString, Is.EqualTo($"/{org.Slug}/account?done={AccountPage.PasswordChanged}"));
        string after = await browser.GetStringAsync(changed.Headers.Location);
        Assert.That(SessionIds(after), Has.Length.EqualTo(1), "the other browser's session ended");
        Assert.That(await AuditDetailAsync(org.Id, "account.password_changed", "other_sessions_ended"), Is.EqualTo("1"));
        // The atlassian grant and the account page's own (its code's; the page goes on with its session).
        Assert.That(await AuditDetailAsync(org.Id, "account.password_changed", "grants_revoked"), Is.EqualTo("2"));
        HttpResponseMessage refresh = await jira.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!),
            ("client_id", "atlassian"), ("client_secret", org.ClientSecret)));
        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a refresh token from before the change is revoked");
        Assert.That((await JsonAsync(refresh)).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        using var userInfo = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/userinfo");
        userInfo.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        Assert.That((await jira.SendAsync(userInfo)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "and so is its access token");

        HttpResponseMessage silent = await other.GetAsync(AuthorizeUrl(org, extra: ("prompt", "none")));
        Assert.That(Query(silent.Headers.Location!)["error"], Is.EqualTo("login_required"));
        using HttpClient fresh = Server.CreateClient();
        await ServerTestBase.SignInAsync(fresh, org, password: "a much longer new passphrase");
    }

    [Test]
    public async Task A_change_after_the_last_factor_grew_old_asks_for_a_new_sign_in_and_a_form_without_its_token_is_refused()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string page = await SignInToAccountAsync(browser, org);

        HttpResponseMessage forged = await browser.PostAsync($"/{org.Slug}/account/recovery-codes", new FormUrlEncodedContent([]));
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        Server.Clock.Advance(TimeSpan.FromMinutes(6));
        string stale = await browser.GetStringAsync($"/{org.Slug}/account");
        Assert.That(stale, Does.Contain("Confirm it is you").And.Not.Contain("current_password"));
        HttpResponseMessage late = await PostAsync(browser, page, "/account/password", ("current_password", org.AlicePassword), ("new_password", "a much longer new passphrase"));
        Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(late.Headers.Location!.OriginalString, Does.Contain("client_id=clavex-account").And.Contain("prompt=login"));
        // Throws when no such event is recorded.
        await AuditEvents.WaitForAsync(org.Id, "account.reauthentication_required");

        string again = await SignInToAccountAsync(browser, org, late.Headers.Location.OriginalString);
        Assert.That(again, Does.Contain("current_password"));
    }

    [Test]
    public async Task Recovery_codes_are_made_anew_and_the_last_required_factor_cannot_be_removed()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_policy":"required","mfa_factors":["totp"]}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage start = await browser.GetAsync($"/{org.Slug}/account");
        string enrolment = await PasswordAsync(browser, start.Headers.Location!.OriginalString, org.AlicePassword);
        byte[] secret = SecondFactorTests.KeyOf(enrolment);
        HtmlForm confirm = HtmlForm.Find(enrolment, "/mfa/enrol");
        string codes = await (await browser.PostAsync(confirm.Action, confirm.With("code", TestTotp.Code(secret, Server.Clock.GetUtcNow())).ToContent())).Content.ReadAsStringAsync();
        HtmlForm next = HtmlForm.Find(codes, "/mfa/continue");
        HttpResponseMessage callback = await browser.PostAsync(next.Action, next.ToContent());
        string page = await FollowAsync(browser, callback);
        Assert.That(page, Does.Contain("10 unused recovery codes").And.Not.Contain("data-passkey-mode"));

        HttpResponseMessage regenerated = await PostAsync(browser, page, "/account/recovery-codes");
        string shown = await regenerated.Content.ReadAsStringAsync();
        Assert.That(RecoveryCodePattern().Matches(shown), Has.Count.EqualTo(10));
        Assert.That(await AuditDetailAsync(org.Id, "account.recovery_codes_regenerated", "recovery_codes_left"), Is.EqualTo("10"));

        HttpResponseMessage remove = await PostAsync(browser, shown, "/account/totp/remove");
        Assert.That(remove.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await remove.Content.ReadAsStringAsync(), Does.Contain("Your organisation requires a second factor"));
        System.Text.Json.JsonElement factors = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/factors", null, HttpStatusCode.OK);
        Assert.That(factors.GetProperty("totp").GetProperty("confirmed").GetBoolean(), Is.True, "the app is still there");
    }

    /// <summary>The account page after signing in from <paramref name="authorize"/> (by default, the redirect /account answers with).</summary>
    internal static async Task<string> SignInToAccountAsync(HttpClient browser, TestOrganization org, string? authorize = null)
    {
        authorize ??= (await browser.GetAsync($"/{org.Slug}/account")).Headers.Location!.OriginalString;
        HttpResponseMessage page = await browser.GetAsync(authorize);
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        HttpResponseMessage callback = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());
        return await FollowAsync(browser, callback);
    }

    private static async Task<string> PasswordAsync(HttpClient browser, string authorize, string password)
    {
        HttpResponseMessage page = await browser.GetAsync(authorize);
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        return await (await browser.PostAsync(login.Action, login.With("username", "alice").With("password", password).ToContent())).Content.ReadAsStringAsync();
    }

    /// <summary>From the code's redirect to the callback, the callback's redirect to the page, and the page.</summary>
    internal static async Task<string> FollowAsync(HttpClient browser, HttpResponseMessage toCallback)
    {
        Assert.That(toCallback.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await toCallback.Content.ReadAsStringAsync());
        Assert.That(toCallback.Headers.Location!.AbsolutePath, Does.EndWith("/account/callback"));
        HttpResponseMessage callback = await browser.GetAsync(toCallback.Headers.Location);
        Assert.That(callback.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await callback.Content.ReadAsStringAsync());
        HttpResponseMessage page = await browser.GetAsync(callback.Headers.Location);
        string html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        return html;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient browser, string page, string action, params (string Name, string Value)[] fields)
    {
        HtmlForm form = HtmlForm.Find(page, action);
        foreach ((string name, string value) in fields)
        {
            form.With(name, value);
        }

        return browser.PostAsync(form.Action, form.ToContent());
    }

    internal static string[] SessionIds(string page) => [.. SessionIdPattern().Matches(page).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("name=\"session_id\" value=\"([^\"]+)\"")]
    private static partial Regex SessionIdPattern();

    [GeneratedRegex("<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")]
    private static partial Regex RecoveryCodePattern();
}
