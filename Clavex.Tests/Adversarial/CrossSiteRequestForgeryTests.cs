using System.Net;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Clavex.Tests.Server;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, cross-site request forgery on every form: a post that arrives with the victim's cookies but without the
/// form's antiforgery token, or with a token the server issued to another browser (the attacker's own), is refused
/// with the "form has expired" page, and nothing it asked for happens.
/// </summary>
public class CrossSiteRequestForgeryTests : AdversarialTestBase
{
    /// <summary>What the forged post carries in place of the browser's own token.</summary>
    public enum Forgery
    {
        /// <summary>No antiforgery field at all (a plain cross-site form).</summary>
        MissingToken,

        /// <summary>A genuine token the server issued to the attacker's browser, which the victim's cookie does not match.</summary>
        AnotherBrowsersToken,
    }

    [Test]
    public async Task A_forged_login_post_is_refused_and_signs_no_one_in([Values] Forgery forgery)
    {
        // RFC 6749 §10.12 and RFC 9700 §4.7 (CSRF), OWASP login CSRF: the attacker would sign the victim in as someone.
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient victim = Server.CreateClient();
        HtmlForm login = HtmlForm.Find(await (await victim.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage response = await victim.PostAsync(login.Action, (await ForgeAsync(org, login, forgery))
            .With("username", "alice").With("password", org.AlicePassword).ToContent());

        await AssertFormExpiredAsync(response);
        Assert.That(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("clavex_session=", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task A_forged_consent_post_is_refused_and_stores_no_consent([Values] Forgery forgery)
    {
        // OIDC Core §3.1.2.4 (consent is the user's decision); RFC 6749 §10.12.
        TestOrganization org = await Server.SeedOrganizationAsync();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client { OrganizationId = org.Id, ClientId = "wiki", ClientName = "Team Wiki", RequireConsent = true, RedirectUris = [JiraCallback], Scopes = ["openid"] },
            CancellationToken.None);
        using HttpClient victim = Server.CreateClient();
        string url = AuthorizeUrl(org, "openid", ("client_id", "wiki"));
        HtmlForm login = HtmlForm.Find(await (await victim.GetAsync(url)).Content.ReadAsStringAsync(), "/login");
        string consentPage = await (await victim.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent())).Content.ReadAsStringAsync();
        HtmlForm consent = HtmlForm.Find(consentPage, "/consent");

        HttpResponseMessage response = await victim.PostAsync(consent.Action, (await ForgeAsync(org, consent, forgery)).With(FormFieldNames.Decision, FormFieldNames.Allow).ToContent());

        await AssertFormExpiredAsync(response);
        HttpResponseMessage again = await victim.GetAsync(url);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "asked again: no consent was stored");
        HtmlForm.Find(await again.Content.ReadAsStringAsync(), "/consent");
    }

    [Test]
    public async Task A_forged_second_factor_post_is_refused_and_leaves_the_code_unused([Values] Forgery forgery)
    {
        // RFC 6238 §5.2 (a code is accepted once): the genuine post of the same code still works, so the forged one
        // neither signed in nor used it up.
        TestOrganization org = await Server.SeedOrganizationAsync();
        byte[] secret;
        using (HttpClient enrolling = Server.CreateClient())
        {
            secret = (await EnrolAsync(enrolling, org)).Key;
        }

        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        using HttpClient victim = Server.CreateClient();
        string page = await (await PasswordAsync(victim, org, org.AlicePassword)).Content.ReadAsStringAsync();
        HtmlForm form = HtmlForm.Find(page, "/mfa");
        string code = TestTotp.Code(secret, Server.Clock.GetUtcNow());

        HttpResponseMessage response = await victim.PostAsync(form.Action, (await ForgeAsync(org, HtmlForm.Find(page, "/mfa"), forgery)).With("code", code).ToContent());

        await AssertFormExpiredAsync(response);
        HttpResponseMessage genuine = await victim.PostAsync(form.Action, form.With("code", code).ToContent());
        Assert.That(genuine.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await genuine.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_forged_enrolment_post_is_refused_and_enrols_nothing([Values] Forgery forgery)
    {
        // An attacker who could post the enrolment form would bind a factor of theirs (RFC 6749 §10.12).
        TestOrganization org = await Server.SeedOrganizationAsync();
        await RequireMfaAsync(org);
        using HttpClient victim = Server.CreateClient();
        string page = await (await PasswordAsync(victim, org, org.AlicePassword)).Content.ReadAsStringAsync();
        HtmlForm form = HtmlForm.Find(page, "/mfa/enrol");
        string code = TestTotp.Code(SecondFactorTests.KeyOf(page), Server.Clock.GetUtcNow());

        HttpResponseMessage response = await victim.PostAsync(form.Action, (await ForgeAsync(org, form, forgery)).With("code", code).ToContent());

        await AssertFormExpiredAsync(response);
        JsonElement factors = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/factors", null, HttpStatusCode.OK);
        Assert.That(factors.GetProperty("totp").ValueKind == JsonValueKind.Null || !factors.GetProperty("totp").GetProperty("confirmed").GetBoolean(), Is.True, factors.GetRawText());
    }

    [Test]
    public async Task A_forged_continue_after_the_recovery_codes_is_refused_and_issues_no_code([Values] Forgery forgery)
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        await RequireMfaAsync(org);
        using HttpClient victim = Server.CreateClient();
        string page = await (await PasswordAsync(victim, org, org.AlicePassword)).Content.ReadAsStringAsync();
        HtmlForm enrol = HtmlForm.Find(page, "/mfa/enrol");
        string codesPage = await (await victim.PostAsync(enrol.Action, enrol.With("code", TestTotp.Code(SecondFactorTests.KeyOf(page), Server.Clock.GetUtcNow())).ToContent()))
            .Content.ReadAsStringAsync();
        HtmlForm proceed = HtmlForm.Find(codesPage, "/mfa/continue");

        HttpResponseMessage response = await victim.PostAsync(proceed.Action, (await ForgeAsync(org, proceed, forgery)).ToContent());

        await AssertFormExpiredAsync(response);
    }

    [Test]
    public async Task A_forged_logout_confirmation_is_refused_and_ends_no_session([Values] Forgery forgery)
    {
        // OpenID Connect RP-Initiated Logout 1.0 §2 (the OP asks the user) and §6 (a logout request can be forged).
        TestOrganization org = await Server.SeedOrganizationAsync();
        var cookies = new CookieContainer();
        using HttpClient victim = Server.CreateClient(cookies);
        await SignInAsync(victim, org);
        HtmlForm confirm = HtmlForm.Find(await (await victim.GetAsync($"/{org.Slug}/logout")).Content.ReadAsStringAsync(), "/logout");

        HttpResponseMessage response = await victim.PostAsync(confirm.Action, (await ForgeAsync(org, confirm, forgery)).With(FormFieldNames.Decision, FormFieldNames.SignOut).ToContent());

        string html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(html, Does.Contain("The sign-out form has expired."));
        Assert.That(await IsSignedInAsync(org, SessionSecret(cookies, org)!), Is.True);
    }

    [Test]
    public async Task A_forged_account_form_post_is_refused_and_changes_nothing(
        [Values("password", "sessions/end", "recovery-codes", "totp", "totp/confirm", "totp/remove", "passkeys", "passkeys/remove")] string action,
        [Values] Forgery forgery)
    {
        // RFC 6749 §10.12 on the account page: a cross-site post could change the password or end sessions.
        TestOrganization org = await SharedOrganizationAsync();
        using HttpClient victim = Server.CreateClient();
        string page = await AccountPageTests.SignInToAccountAsync(victim, org);
        string[] sessions = AccountPageTests.SessionIds(page);
        HtmlForm form = (await ForgeAsync(org, HtmlForm.Find(page, "/account/password"), forgery))
            .With("current_password", org.AlicePassword).With("new_password", "an attacker's chosen passphrase").With("session_id", sessions[0]).With("code", "123456");

        HttpResponseMessage response = await victim.PostAsync($"/{org.Slug}/account/{action}", form.ToContent());

        await AssertFormExpiredAsync(response);
        Assert.That(AccountPageTests.SessionIds(await victim.GetStringAsync($"/{org.Slug}/account")), Is.EqualTo(sessions));
        using HttpClient fresh = Server.CreateClient();
        await SignInAsync(fresh, org, password: org.AlicePassword);
    }

    /// <summary>
    /// The form with its antiforgery field removed, or replaced by a token the server issued to another browser.
    /// </summary>
    private async Task<HtmlForm> ForgeAsync(TestOrganization org, HtmlForm form, Forgery forgery)
    {
        string own = form.Get(AntiforgeryTokens.FormFieldName);
        form.Fields.RemoveAll(f => f.Key == AntiforgeryTokens.FormFieldName);
        if (forgery == Forgery.AnotherBrowsersToken)
        {
            using HttpClient attacker = Server.CreateClient();
            string theirs = HtmlForm.Find(await (await attacker.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login").Get(AntiforgeryTokens.FormFieldName);
            Assert.That(theirs, Is.Not.EqualTo(own));
            form.With(AntiforgeryTokens.FormFieldName, theirs);
        }

        return form;
    }

    private static async Task AssertFormExpiredAsync(HttpResponseMessage response)
    {
        string html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), html);
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(html, Does.Contain("This form has expired"));
    }
}
