using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clavex.Core.Interaction;
using Clavex.Server.Login;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 13: second factors over HTTP through the real pages, with TOTP codes computed by the test (RFC 6238, its own
/// implementation) from the key the enrolment page shows; policies per organisation and client, acr_values and
/// prompt=none, lockout, recovery codes, and the admin endpoints.
/// </summary>
public partial class SecondFactorTests : AdminTestBase
{
    private const string MfaAcr = "urn:clavex:acr:mfa";
    private const string PasswordAcr = "urn:clavex:acr:pwd";

    [Test]
    public async Task Without_a_policy_or_a_factor_the_password_is_enough_and_the_id_token_says_so()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();

        JsonElement tokens = await SignInAndRedeemAsync(org, jira);

        Assert.That(IdTokenClaim(tokens, "amr"), Is.EqualTo("""["pwd"]"""));
        Assert.That(IdTokenClaim(tokens, "acr"), Is.EqualTo($"\"{PasswordAcr}\""));
    }

    [Test]
    public async Task Discovery_publishes_the_acr_values()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        JsonElement discovery = JsonDocument.Parse(await client.GetStringAsync($"/{org.Slug}/.well-known/openid-configuration")).RootElement;

        Assert.That(discovery.GetProperty("acr_values_supported").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { PasswordAcr, MfaAcr }));
    }

    [Test]
    public async Task Required_mfa_takes_a_user_without_a_factor_through_enrolment_and_the_token_says_mfa()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required"}""");
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage enrolment = await PasswordAsync(browser, org);
        string page = await enrolment.Content.ReadAsStringAsync();
        Assert.That(enrolment.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page, Does.Contain("Set up a second factor").And.Contain("<svg"));
        Assert.That(page, Does.Not.Contain("style="), "the QR code needs no inline style (CSP)");
        byte[] secret = KeyOf(page);

        HttpResponseMessage wrong = await PostCodeAsync(browser, page, "/mfa/enrol", "000000" == Code(secret, 0) ? "111111" : "000000");
        string wrongPage = await wrong.Content.ReadAsStringAsync();
        Assert.That(wrongPage, Does.Contain("That code is not valid"));
        Assert.That(KeyOf(wrongPage), Is.EqualTo(secret), "the same key is shown again");

        HttpResponseMessage codes = await PostCodeAsync(browser, wrongPage, "/mfa/enrol", Code(secret, 0));
        string codesPage = await codes.Content.ReadAsStringAsync();
        Assert.That(codes.StatusCode, Is.EqualTo(HttpStatusCode.OK), codesPage);
        string[] recovery = RecoveryCodesOf(codesPage);
        Assert.That(recovery, Has.Length.EqualTo(10).And.Unique);

        Uri callback = await ContinueAsync(browser, codesPage);
        using HttpClient jira = Server.CreateClient();
        JsonElement tokens = await JsonAsync(await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)));
        Assert.That(IdTokenClaim(tokens, "amr"), Is.EqualTo("""["pwd","otp","mfa"]"""));
        Assert.That(IdTokenClaim(tokens, "acr"), Is.EqualTo($"\"{MfaAcr}\""));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.enrolled", "factor"), Is.EqualTo("totp"));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.failed", "reason"), Is.EqualTo(SecondFactorFailureReasons.WrongCode));
    }

    [Test]
    public async Task An_enrolled_user_gives_a_code_once_a_replay_is_refused_and_the_next_step_works()
    {
        TestOrganization org = await NewOrganizationAsync();
        byte[] secret = await EnrolAliceAsync(org);

        using HttpClient first = Server.CreateClient();
        HttpResponseMessage challenge = await PasswordAsync(first, org);
        string page = await challenge.Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("Verify it is you"));
        Assert.That(HtmlForm.Find(page, "/mfa").Fields.Select(f => f.Key), Does.Not.Contain("password"));

        // The enrolment used the code of its time step; the next step's code is accepted once.
        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        string code = Code(secret, 0);
        HttpResponseMessage accepted = await PostCodeAsync(first, page, "/mfa", code);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await accepted.Content.ReadAsStringAsync());
        Assert.That(accepted.Headers.Location!.AbsoluteUri, Does.StartWith(JiraCallback + "?code="));

        using HttpClient second = Server.CreateClient();
        string again = await (await PasswordAsync(second, org)).Content.ReadAsStringAsync();
        HttpResponseMessage replay = await PostCodeAsync(second, again, "/mfa", code);
        Assert.That(await replay.Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.IncorrectCode));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.failed", "reason"), Is.EqualTo(SecondFactorFailureReasons.Replayed));

        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        HttpResponseMessage next = await PostCodeAsync(second, await replay.Content.ReadAsStringAsync(), "/mfa", Code(secret, 0));
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
    }

    [Test]
    public async Task A_code_one_step_early_or_late_is_accepted_two_steps_is_not()
    {
        TestOrganization org = await NewOrganizationAsync();
        byte[] secret = await EnrolAliceAsync(org);
        Server.Clock.Advance(TimeSpan.FromMinutes(5));
        long now = Server.Clock.GetUtcNow().ToUnixTimeSeconds() / 30;

        Assert.That((await TryCodeAsync(org, TestTotp.Compute(secret, now - 2))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "two steps old");
        Assert.That((await TryCodeAsync(org, TestTotp.Compute(secret, now + 2))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "two steps ahead");
        Assert.That((await TryCodeAsync(org, TestTotp.Compute(secret, now - 1))).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "one step old");
        Assert.That((await TryCodeAsync(org, TestTotp.Compute(secret, now + 1))).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "one step ahead");
    }

    [Test]
    public async Task A_recovery_code_works_once_and_the_user_is_told_how_many_are_left()
    {
        TestOrganization org = await NewOrganizationAsync();
        (byte[] _, string[] recovery) = await EnrolAliceWithCodesAsync(org);

        using HttpClient browser = Server.CreateClient();
        string page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        HttpResponseMessage used = await PostCodeAsync(browser, page, "/mfa", recovery[3].ToUpperInvariant());
        string notice = await used.Content.ReadAsStringAsync();
        Assert.That(used.StatusCode, Is.EqualTo(HttpStatusCode.OK), notice);
        Assert.That(notice, Does.Contain("You have <strong>9</strong> recovery codes left."));
        Uri callback = await ContinueAsync(browser, notice);
        Assert.That(callback.AbsoluteUri, Does.StartWith(JiraCallback + "?code="));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.recovery_code_used", "recovery_codes_left"), Is.EqualTo("9"));

        using HttpClient other = Server.CreateClient();
        string again = await (await PasswordAsync(other, org)).Content.ReadAsStringAsync();
        HttpResponseMessage reused = await PostCodeAsync(other, again, "/mfa", recovery[3]);
        Assert.That(await reused.Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.IncorrectCode));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.failed", "reason"), Is.EqualTo(SecondFactorFailureReasons.WrongRecoveryCode));
    }

    [Test]
    public async Task Wrong_codes_lock_the_account_a_right_password_does_not_clear_them_and_an_admin_unlock_does()
    {
        TestOrganization org = await NewOrganizationAsync();
        byte[] secret = await EnrolAliceAsync(org);
        using HttpClient first = Server.CreateClient();
        using HttpClient second = Server.CreateClient();
        HttpClient browser = first;
        string page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        string wrongCode = Code(secret, 0) == "123456" ? "654321" : "123456";
        for (int i = 0; i < LockoutPolicy.MaxConsecutiveFailures - 1; i++)
        {
            if (i == 4)
            {
                // Signing in again with the right password must not give the guesser a fresh count.
                browser = second;
                page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
            }

            HttpResponseMessage wrong = await PostCodeAsync(browser, page, "/mfa", wrongCode);
            page = await wrong.Content.ReadAsStringAsync();
            Assert.That(page, Does.Contain(PageTexts.English.IncorrectCode), $"attempt {i + 1}");
        }

        HttpResponseMessage locking = await PostCodeAsync(browser, page, "/mfa", wrongCode);
        string loginPage = await locking.Content.ReadAsStringAsync();
        Assert.That(loginPage, Does.Contain(PageTexts.English.IncorrectCredentials), "the session is ended and the login page shown");
        Assert.That(await AuditDetailAsync(org.Id, "login.locked", "factor"), Is.EqualTo("second_factor"));
        using (HttpClient locked = Server.CreateClient())
        {
            Assert.That(await (await PasswordAsync(locked, org)).Content.ReadAsStringAsync(), Does.Contain(PageTexts.English.IncorrectCredentials));
        }

        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/unlock", null, HttpStatusCode.NoContent);
        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await TryCodeAsync(org, Code(secret, 0))).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
    }

    [Test]
    public async Task A_client_that_requires_mfa_steps_up_an_existing_password_session_without_asking_for_the_password()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", """
            {"client_id":"finance","redirect_uris":["https://finance.acme.eu/callback"],"scopes":["openid"],"require_mfa":true}
            """, HttpStatusCode.Created);
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);

        HttpResponseMessage stepUp = await browser.GetAsync(
            $"/{org.Slug}/authorize?response_type=code&client_id=finance&redirect_uri=https%3A%2F%2Ffinance.acme.eu%2Fcallback&scope=openid&state=s");

        string page = await stepUp.Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("Set up a second factor"), "an organisation without a policy lets the user enrol for the client");
        Assert.That(await AuditDetailAsync(org.Id, "mfa.step_up_required", "cause"), Is.EqualTo("client_require_mfa"));
        Assert.That(page, Does.Not.Contain("name=\"password\""));
    }

    [Test]
    public async Task Acr_values_asking_for_mfa_step_up_and_unknown_acr_values_are_refused_not_weakened()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);

        HttpResponseMessage stepUp = await browser.GetAsync(AuthorizeUrl(org, extra: ("acr_values", MfaAcr)));
        Assert.That(await stepUp.Content.ReadAsStringAsync(), Does.Contain("Set up a second factor"));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.step_up_required", "cause"), Is.EqualTo("acr_values"));

        HttpResponseMessage weakOk = await browser.GetAsync(AuthorizeUrl(org, extra: ("acr_values", $"{MfaAcr} {PasswordAcr}")));
        Assert.That(weakOk.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "the password level is acceptable to this request");
        Assert.That(Query(weakOk.Headers.Location!)["code"], Is.Not.Null);

        HttpResponseMessage unknown = await browser.GetAsync(AuthorizeUrl(org, extra: ("acr_values", "urn:example:loa:4")));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(unknown.Headers.Location!)["error"], Is.EqualTo("unmet_authentication_requirements"));
        Assert.That(Query(unknown.Headers.Location!)["state"], Is.EqualTo(State));
    }

    [Test]
    public async Task Prompt_none_with_a_second_factor_outstanding_is_interaction_required()
    {
        TestOrganization org = await NewOrganizationAsync();
        await EnrolAliceAsync(org);
        using HttpClient browser = Server.CreateClient();
        await PasswordAsync(browser, org);

        HttpResponseMessage silent = await browser.GetAsync(AuthorizeUrl(org, extra: ("prompt", "none")));

        Assert.That(silent.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(silent.Headers.Location!)["error"], Is.EqualTo("interaction_required"));
    }

    [Test]
    public async Task After_the_grace_period_a_user_without_a_factor_is_refused_until_an_admin_resets_mfa()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required","mfa_grace_period_seconds":86400}""");
        Server.Clock.Advance(TimeSpan.FromDays(2));
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage refused = await PasswordAsync(browser, org);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(refused.Headers.Location!)["error"], Is.EqualTo("unmet_authentication_requirements"));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.failed", "reason"), Is.EqualTo(SecondFactorFailureReasons.EnrolmentRequired));

        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/mfa/reset", null, HttpStatusCode.NoContent);
        using HttpClient again = Server.CreateClient();
        Assert.That(await (await PasswordAsync(again, org)).Content.ReadAsStringAsync(), Does.Contain("Set up a second factor"));
    }

    [Test]
    public async Task Mfa_required_for_a_group_applies_to_its_members_only()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required_for_groups","mfa_groups":["jira-administrators"]}""");
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users",
            """{"username":"bob","password":"bob's long password","groups":["jira-software-users"]}""", HttpStatusCode.Created);

        using HttpClient alice = Server.CreateClient();
        Assert.That(await (await PasswordAsync(alice, org)).Content.ReadAsStringAsync(), Does.Contain("Set up a second factor"));

        using HttpClient bob = Server.CreateClient();
        HttpResponseMessage page = await bob.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        HttpResponseMessage signedIn = await bob.PostAsync(login.Action, login.With("username", "bob").With("password", "bob's long password").ToContent());
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(signedIn.Headers.Location!)["code"], Is.Not.Null);
    }

    [Test]
    public async Task The_admin_api_shows_factors_without_secrets_removes_them_and_validates_the_policy()
    {
        TestOrganization org = await NewOrganizationAsync();
        (byte[] secret, string[] recovery) = await EnrolAliceWithCodesAsync(org);
        string path = $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}";

        HttpResponseMessage factors = await AdminAsync(HttpMethod.Get, path + "/factors");
        string body = await factors.Content.ReadAsStringAsync();
        JsonElement json = JsonDocument.Parse(body).RootElement;
        Assert.That(json.GetProperty("totp").GetProperty("confirmed").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("recovery_codes_left").GetInt32(), Is.EqualTo(10));
        Assert.That(body, Does.Not.Contain(TestTotp.Base32(secret)).And.Not.Contain(recovery[0]));

        await AdminJsonAsync(HttpMethod.Delete, path + "/factors/totp", null, HttpStatusCode.NoContent);
        Assert.That((await AdminJsonAsync(HttpMethod.Get, path + "/factors", null, HttpStatusCode.OK)).GetProperty("totp").ValueKind, Is.EqualTo(JsonValueKind.Null));
        JsonElement again = await AdminJsonAsync(HttpMethod.Delete, path + "/factors/totp", null, HttpStatusCode.NotFound);
        Assert.That(again.GetProperty("error").GetString(), Is.EqualTo("not_found"));
        Assert.That(await AuditDetailAsync(org.Id, "admin.mfa.factor_removed", "actor"), Is.EqualTo("admin"));
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/u_nobody/mfa/reset", null, HttpStatusCode.NotFound);

        JsonElement badPolicy = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_policy":"always"}""", HttpStatusCode.BadRequest);
        Assert.That(badPolicy.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        JsonElement noGroups = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_policy":"required_for_groups"}""", HttpStatusCode.BadRequest);
        Assert.That(noGroups.GetProperty("error_description").GetString(), Does.Contain("mfa_groups"));
        JsonElement badAcr = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"x","redirect_uris":["https://x.acme.eu/cb"],"default_acr_values":["urn:example:loa:4"]}""", HttpStatusCode.BadRequest);
        Assert.That(badAcr.GetProperty("error").GetString(), Is.EqualTo("invalid_client_metadata"));

        JsonElement strict = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_policy":"required"}""", HttpStatusCode.OK);
        Assert.That(strict.GetProperty("mfa_policy").GetString(), Is.EqualTo("required"));
        Assert.That(strict.GetProperty("mfa_grace_period_seconds").GetInt32(), Is.EqualTo(604800));
        Assert.That(strict.GetProperty("mfa_required_since").GetDateTimeOffset(), Is.EqualTo(Server.Clock.GetUtcNow()).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task New_passwords_follow_the_organisations_password_policy()
    {
        TestOrganization org = await NewOrganizationAsync();
        string users = $"/api/v1/organizations/{org.Slug}/users";

        JsonElement common = await AdminJsonAsync(HttpMethod.Post, users, """{"username":"carol","password":"Password2026!"}""", HttpStatusCode.BadRequest);
        Assert.That(common.GetProperty("error_description").GetString(), Does.Contain("attackers try first"));
        JsonElement own = await AdminJsonAsync(HttpMethod.Post, users, """{"username":"carol.berg","password":"carol.berg2026"}""", HttpStatusCode.BadRequest);
        Assert.That(own.GetProperty("error_description").GetString(), Does.Contain("username"));
        JsonElement slug = await AdminJsonAsync(HttpMethod.Put, $"{users}/{org.AliceSubject}/password", $$"""{"password":"{{org.Slug}}!!"}""", HttpStatusCode.BadRequest);
        Assert.That(slug.GetProperty("error_description").GetString(), Does.Contain("organisation"));

        JsonElement updated = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"password_min_length":24}""", HttpStatusCode.OK);
        Assert.That(updated.GetProperty("password_min_length").GetInt32(), Is.EqualTo(24));
        JsonElement tooShort = await AdminJsonAsync(HttpMethod.Put, $"{users}/{org.AliceSubject}/password", """{"password":"a brand new passphrase"}""", HttpStatusCode.BadRequest);
        Assert.That(tooShort.GetProperty("error_description").GetString(), Does.StartWith("password must be at least 24 characters (it has 22)"));
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"password_min_length":7}""", HttpStatusCode.BadRequest);

        using HttpClient browser = Server.CreateClient();
        Assert.That(Query(await SignInAsync(browser, org))["code"], Is.Not.Null, "a stored password is not re-checked at sign-in");
    }

    // --- the flow, as a browser and an authenticator app do it ---

    private async Task SetPolicyAsync(TestOrganization org, string json) =>
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", json, HttpStatusCode.OK);

    /// <summary>Authorize and the password form in <paramref name="browser"/>; the response to the password.</summary>
    private static async Task<HttpResponseMessage> PasswordAsync(HttpClient browser, TestOrganization org)
    {
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        return await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());
    }

    private static Task<HttpResponseMessage> PostCodeAsync(HttpClient browser, string page, string action, string code)
    {
        HtmlForm form = HtmlForm.Find(page, action);
        return browser.PostAsync(form.Action, form.With("code", code).ToContent());
    }

    /// <summary>A fresh browser: password, then <paramref name="code"/> on the second-factor page.</summary>
    private async Task<HttpResponseMessage> TryCodeAsync(TestOrganization org, string code)
    {
        using HttpClient browser = Server.CreateClient();
        string page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        return await PostCodeAsync(browser, page, "/mfa", code);
    }

    private async Task<byte[]> EnrolAliceAsync(TestOrganization org) => (await EnrolAliceWithCodesAsync(org)).Secret;

    /// <summary>Alice enrols an app through a step-up (acr_values), with the code of the test clock's current time step.</summary>
    private async Task<(byte[] Secret, string[] RecoveryCodes)> EnrolAliceWithCodesAsync(TestOrganization org)
    {
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);
        string page = await (await browser.GetAsync(AuthorizeUrl(org, extra: ("acr_values", MfaAcr)))).Content.ReadAsStringAsync();
        byte[] secret = KeyOf(page);
        string codes = await (await PostCodeAsync(browser, page, "/mfa/enrol", Code(secret, 0))).Content.ReadAsStringAsync();
        return (secret, RecoveryCodesOf(codes));
    }

    /// <summary>Presses Continue on the recovery-codes page; the callback it redirects to.</summary>
    private static async Task<Uri> ContinueAsync(HttpClient browser, string page)
    {
        HtmlForm form = HtmlForm.Find(page, "/mfa/continue");
        HttpResponseMessage response = await browser.PostAsync(form.Action, form.ToContent());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await response.Content.ReadAsStringAsync());
        return response.Headers.Location!;
    }

    internal static byte[] KeyOf(string page)
    {
        Match key = KeyPattern().Match(page);
        Assert.That(key.Success, Is.True, "the page shows the key as text");
        return TestTotp.FromBase32(key.Groups[1].Value.Replace(" ", string.Empty, StringComparison.Ordinal));
    }

    private static string[] RecoveryCodesOf(string page) =>
        [.. RecoveryCodePattern().Matches(page).Select(m => m.Groups[1].Value)];

    /// <summary>The code of the time step <paramref name="stepsFromNow"/> steps after the test clock's current one.</summary>
    private string Code(byte[] secret, long stepsFromNow) => TestTotp.Code(secret, Server.Clock.GetUtcNow(), stepsFromNow);

    [GeneratedRegex("<p class=\"key\"><code>([A-Z2-7 ]+)</code></p>")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")]
    private static partial Regex RecoveryCodePattern();
}
