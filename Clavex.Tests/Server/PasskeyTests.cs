using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clavex.Core.Interaction;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 13: passkeys over HTTP with an authenticator the test implements (<see cref="SoftwareAuthenticator"/>), so
/// every check the server makes can be made to fail on purpose: the challenge (purpose, single use, expiry), the
/// signature counter, backup eligibility, user verification for a username-less sign-in, and which organisation and
/// user a credential belongs to. A refusal is always a page, never a 500.
/// </summary>
public partial class PasskeyTests : AdminTestBase
{
    private string Origin => Server.BaseUrl.GetLeftPart(UriPartial.Authority);

    [Test]
    public async Task A_passkey_registered_at_enrolment_is_the_second_factor_and_the_id_token_says_hwk()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required"}""");
        using var authenticator = new SoftwareAuthenticator();

        (string[] recovery, JsonElement enrolled, _) = await RegisterAsync(org, authenticator);
        Assert.That(recovery, Has.Length.EqualTo(10).And.Unique, "a first factor comes with recovery codes");
        Assert.That(IdTokenClaim(enrolled, "amr"), Is.EqualTo("""["pwd","hwk","mfa"]"""));

        using HttpClient browser = Server.CreateClient();
        string page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        (HtmlForm form, string options) = PasskeyForm(page, "/mfa/passkey");
        Assert.That(Options(options).GetProperty("allowCredentials")[0].GetProperty("id").GetString(), Is.EqualTo(Base64Url(authenticator.CredentialId)));
        HttpResponseMessage signedIn = await browser.PostAsync(form.Action, form.With("webauthn_response", authenticator.Assert(options, Origin, 1, null)).ToContent());
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await signedIn.Content.ReadAsStringAsync());
        JsonElement tokens = await RedeemAsync(org, signedIn.Headers.Location!);
        Assert.That(IdTokenClaim(tokens, "amr"), Is.EqualTo("""["pwd","hwk","mfa"]"""));
        Assert.That(IdTokenClaim(tokens, "acr"), Is.EqualTo("\"urn:clavex:acr:mfa\""));
        Assert.That(await AuditDetailAsync(org.Id, "mfa.succeeded", "method"), Is.EqualTo("passkey"));
    }

    [Test]
    public async Task The_registration_options_name_the_user_by_an_opaque_handle_and_ask_for_a_resident_key()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required"}""");
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage response = await PasswordAsync(browser, org);
        string page = await response.Content.ReadAsStringAsync();

        (HtmlForm form, string json) = PasskeyForm(page, "/mfa/enrol/passkey");
        JsonElement options = Options(json);
        Assert.That(options.GetProperty("challenge").GetString(), Is.EqualTo(form.Get("webauthn_challenge")));
        Assert.That(options.GetProperty("rp").GetProperty("id").GetString(), Is.EqualTo(Server.BaseUrl.Host));
        Assert.That(options.GetProperty("user").GetProperty("name").GetString(), Is.EqualTo("alice"));
        string handle = options.GetProperty("user").GetProperty("id").GetString()!;
        Assert.That(System.Buffers.Text.Base64Url.DecodeFromChars(handle), Has.Length.EqualTo(32));
        Assert.That(handle, Does.Not.Contain(org.AliceSubject));
        Assert.That(options.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString(), Is.EqualTo("preferred"));
        Assert.That(options.GetProperty("pubKeyCredParams").EnumerateArray().Select(p => p.GetProperty("alg").GetInt32()), Does.Contain(-7));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'"));
        Assert.That(page, Does.Contain("<script src=\"/assets/passkey.js\"></script>").And.Not.Contain("<script>"));
    }

    [Test]
    public async Task A_challenge_is_used_once_for_its_own_ceremony_and_not_after_it_expires()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required","passwordless":true}""");
        using var authenticator = new SoftwareAuthenticator();
        using HttpClient browser = Server.CreateClient();
        string enrolment = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        (HtmlForm form, string options) = PasskeyForm(enrolment, "/mfa/enrol/passkey");

        // Garbage first: a clear page, the challenge spent.
        string garbage = await PageAsync(browser, form.With("webauthn_response", "{not json"));
        Assert.That(garbage, Does.Contain("That passkey could not be registered"));
        Assert.That(await ReasonEventuallyAsync(org.Id, "mfa.enrolment_failed", "malformed_response"), Is.True);
        string replayed = await PageAsync(browser, form.With("webauthn_response", authenticator.Register(options, Origin)));
        Assert.That(replayed, Does.Contain("That passkey could not be registered"));
        Assert.That(await ReasonEventuallyAsync(org.Id, "mfa.enrolment_failed", PasskeyFailureReasons.InvalidChallenge), Is.True);

        // The login page's passwordless challenge is not a registration challenge.
        using HttpClient other = Server.CreateClient();
        string login = await (await other.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync();
        string foreignChallenge = PasskeyForm(login, "/login/passkey").Form.Get("webauthn_challenge");
        (HtmlForm fresh, string freshOptions) = PasskeyForm(replayed, "/mfa/enrol/passkey");
        string wrongPurpose = await PageAsync(browser, fresh.With("webauthn_challenge", foreignChallenge).With("webauthn_response", authenticator.Register(freshOptions, Origin)));
        Assert.That(wrongPurpose, Does.Contain("That passkey could not be registered"));

        // Five minutes later the page's challenge has expired.
        (HtmlForm late, string lateOptions) = PasskeyForm(wrongPurpose, "/mfa/enrol/passkey");
        Server.Clock.Advance(TimeSpan.FromMinutes(5));
        string expired = await PageAsync(browser, late.With("webauthn_response", authenticator.Register(lateOptions, Origin)));
        Assert.That(expired, Does.Contain("That passkey could not be registered"));
        JsonElement factors = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/factors", null, HttpStatusCode.OK);
        Assert.That(factors.GetProperty("passkeys").GetArrayLength(), Is.Zero, "nothing was registered by any of them");
    }

    [Test]
    public async Task A_counter_that_does_not_move_forward_and_a_changed_backup_eligibility_are_refused_and_counted()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required"}""");
        using var authenticator = new SoftwareAuthenticator();
        await RegisterAsync(org, authenticator);
        Assert.That(await SecondFactorAsync(org, authenticator, 5), Is.EqualTo(HttpStatusCode.SeeOther));

        Assert.That(await SecondFactorAsync(org, authenticator, 5), Is.EqualTo(HttpStatusCode.OK), "a cloned authenticator repeats its counter");
        Assert.That(await ReasonEventuallyAsync(org.Id, "mfa.failed", "invalid_sign_count"), Is.True);
        Assert.That(await SecondFactorAsync(org, authenticator, 6, SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.BackupEligible), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await ReasonEventuallyAsync(org.Id, "mfa.failed", PasskeyFailureReasons.BackupEligibilityChanged), Is.True);
        Assert.That(await SecondFactorAsync(org, authenticator, 7), Is.EqualTo(HttpStatusCode.SeeOther), "the real authenticator still works");
    }

    [Test]
    public async Task Passwordless_needs_the_organisation_user_verification_and_a_credential_of_this_organisation()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required"}""");
        using var authenticator = new SoftwareAuthenticator();
        (_, _, byte[] handle) = await RegisterAsync(org, authenticator);

        // Not allowed yet: the login page has no passkey button, and a post anyway is refused.
        using (HttpClient browser = Server.CreateClient())
        {
            string login = await (await browser.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync();
            Assert.That(login, Does.Not.Contain("/login/passkey").And.Not.Contain("<script"));
            HtmlForm form = HtmlForm.Find(login, "/login");
            HttpResponseMessage refused = await browser.PostAsync($"/{org.Slug}/login/passkey", form.With("webauthn_challenge", "x").With("webauthn_response", "{}").ToContent());
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain(Clavex.Server.Login.PageTexts.English.IncorrectPasskeyAtLogin));
            Assert.That(await ReasonEventuallyAsync(org.Id, "login.failed", PasskeyFailureReasons.PasswordlessNotAllowed), Is.True);
        }

        await SetPolicyAsync(org, """{"passwordless":true}""");
        Assert.That(await PasswordlessAsync(org, authenticator, 1, handle, SoftwareAuthenticator.UserPresent), Is.Null, "presence alone is not enough");
        JsonElement? tokens = await PasswordlessAsync(org, authenticator, 2, handle);
        Assert.That(tokens, Is.Not.Null);
        Assert.That(IdTokenClaim(tokens!.Value, "amr"), Is.EqualTo("""["hwk","user","mfa"]"""));
        Assert.That(IdTokenClaim(tokens.Value, "sub"), Is.EqualTo($"\"{org.AliceSubject}\""));
        Assert.That(await PasswordlessAsync(org, authenticator, 3, RandomHandle()), Is.Null, "the user handle must be the credential's");
        Assert.That(await ReasonEventuallyAsync(org.Id, "login.failed", PasskeyFailureReasons.UnknownCredential), Is.True);

        // The same authenticator at another organisation: unknown there.
        TestOrganization other = await NewOrganizationAsync();
        await SetPolicyAsync(other, """{"passwordless":true}""");
        Assert.That(await PasswordlessAsync(other, authenticator, 4, handle), Is.Null);
        Assert.That(await ReasonEventuallyAsync(other.Id, "login.failed", PasskeyFailureReasons.UnknownCredential), Is.True);
    }

    [Test]
    public async Task A_synced_passkey_is_swk_and_an_organisation_that_allows_only_passkeys_shows_no_authenticator_app()
    {
        TestOrganization org = await NewOrganizationAsync();
        await SetPolicyAsync(org, """{"mfa_policy":"required","mfa_factors":["passkey"]}""");
        using HttpClient browser = Server.CreateClient();
        string page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("<h1>Set up a passkey</h1>").And.Not.Contain("<svg").And.Contain("<noscript>"));

        using var synced = new SoftwareAuthenticator();
        (_, JsonElement tokens, _) = await RegisterAsync(org, synced, SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.UserVerified | SoftwareAuthenticator.BackupEligible | SoftwareAuthenticator.BackedUp);
        Assert.That(IdTokenClaim(tokens, "amr"), Is.EqualTo("""["pwd","swk","mfa"]"""));

        JsonElement listed = (await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/factors", null, HttpStatusCode.OK))
            .GetProperty("passkeys")[0];
        Assert.That(listed.GetProperty("name").GetString(), Is.EqualTo("Phone"));
        Assert.That(listed.GetProperty("backup_eligible").GetBoolean(), Is.True);
        Assert.That(listed.TryGetProperty("public_key", out _), Is.False);
    }

    [Test]
    public async Task The_organisation_policy_validates_its_factor_names()
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonElement body = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_factors":["sms"]}""", HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("error_description").GetString(), Does.Contain("mfa_factors"));
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_factors":[]}""", HttpStatusCode.BadRequest);
        JsonElement after = await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", """{"mfa_factors":["totp"],"passwordless":true}""", HttpStatusCode.OK);
        Assert.That(after.GetProperty("mfa_factors").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "totp" }));
        Assert.That(after.GetProperty("passwordless").GetBoolean(), Is.True);

        // Passkeys not allowed: no passkey button even though passwordless is on, no passkey form at enrolment.
        await SetPolicyAsync(org, """{"mfa_policy":"required"}""");
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage login = await browser.GetAsync(AuthorizeUrl(org));
        Assert.That(await login.Content.ReadAsStringAsync(), Does.Not.Contain("passkey"));
        Assert.That(login.Headers.GetValues("Content-Security-Policy").Single(), Does.Not.Contain("script-src"));
        string enrolment = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        Assert.That(enrolment, Does.Contain("<h1>Set up an authenticator app</h1>").And.Not.Contain("data-passkey-mode"));
    }

    [Test]
    public async Task The_passkey_script_is_served_with_its_type_nosniff_and_an_etag()
    {
        using HttpClient client = Server.CreateClient();
        HttpResponseMessage script = await client.GetAsync("/assets/passkey.js");
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(script.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/javascript"));
        Assert.That(script.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        Assert.That(await script.Content.ReadAsStringAsync(), Does.Contain("navigator.credentials.get"));
        using var again = new HttpRequestMessage(HttpMethod.Get, "/assets/passkey.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", script.Headers.ETag!.Tag);
        Assert.That((await client.SendAsync(again)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    // The policy matrix: organisation policy × the factor alice has; what the next sign-in asks, and what the ID token says.
    [TestCase("""{"mfa_policy":"optional"}""", "none", "none", """["pwd"]""")]
    [TestCase("""{"mfa_policy":"optional"}""", "totp", "second_factor", """["pwd","otp","mfa"]""")]
    [TestCase("""{"mfa_policy":"optional"}""", "passkey", "second_factor", """["pwd","hwk","mfa"]""")]
    [TestCase("""{"mfa_policy":"required"}""", "none", "enrolment", """["pwd","otp","mfa"]""")]
    [TestCase("""{"mfa_policy":"required"}""", "totp", "second_factor", """["pwd","otp","mfa"]""")]
    [TestCase("""{"mfa_policy":"required"}""", "passkey", "second_factor", """["pwd","hwk","mfa"]""")]
    [TestCase("""{"mfa_policy":"required_for_groups","mfa_groups":["jira-administrators"]}""", "none", "enrolment", """["pwd","otp","mfa"]""")]
    [TestCase("""{"mfa_policy":"required_for_groups","mfa_groups":["finance"]}""", "none", "none", """["pwd"]""")]
    [TestCase("""{"mfa_policy":"required_for_groups","mfa_groups":["finance"]}""", "passkey", "second_factor", """["pwd","hwk","mfa"]""")]
    [TestCase("""{"mfa_policy":"required_for_groups","mfa_groups":["jira-administrators"]}""", "totp", "second_factor", """["pwd","otp","mfa"]""")]
    public async Task The_policy_and_the_users_factor_decide_the_next_step_and_the_amr(string policy, string factor, string step, string amr)
    {
        TestOrganization org = await NewOrganizationAsync();
        using var authenticator = new SoftwareAuthenticator();
        byte[]? secret = null;
        if (factor == "passkey")
        {
            await SetPolicyAsync(org, """{"mfa_policy":"required"}""");
            await RegisterAsync(org, authenticator);
        }
        else if (factor == "totp")
        {
            await SetPolicyAsync(org, """{"mfa_policy":"required","mfa_factors":["totp"]}""");
            using HttpClient enrol = Server.CreateClient();
            string page = await (await PasswordAsync(enrol, org)).Content.ReadAsStringAsync();
            secret = SecondFactorTests.KeyOf(page);
            HtmlForm form = HtmlForm.Find(page, "/mfa/enrol");
            Assert.That((await enrol.PostAsync(form.Action, form.With("code", TestTotp.Code(secret, Server.Clock.GetUtcNow())).ToContent())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Server.Clock.Advance(TimeSpan.FromSeconds(30));
        }

        await SetPolicyAsync(org, policy.Replace("}", ""","mfa_factors":["totp","passkey"]}""", StringComparison.Ordinal));
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage afterPassword = await PasswordAsync(browser, org);
        string html = await afterPassword.Content.ReadAsStringAsync();
        HttpResponseMessage callback;
        switch (step)
        {
            case "none":
                callback = afterPassword;
                break;
            case "second_factor":
                Assert.That(html, Does.Contain("<h1>Verify it is you</h1>"));
                if (factor == "passkey")
                {
                    (HtmlForm form, string options) = PasskeyForm(html, "/mfa/passkey");
                    callback = await browser.PostAsync(form.Action, form.With("webauthn_response", authenticator.Assert(options, Origin, 2, null)).ToContent());
                }
                else
                {
                    Assert.That(html, Does.Not.Contain("data-passkey-mode"), "no passkey form for a user without one");
                    HtmlForm form = HtmlForm.Find(html, "/mfa");
                    callback = await browser.PostAsync(form.Action, form.With("code", TestTotp.Code(secret!, Server.Clock.GetUtcNow())).ToContent());
                }

                break;
            default:
                Assert.That(html, Does.Contain("<h1>Set up a second factor</h1>"));
                byte[] key = SecondFactorTests.KeyOf(html);
                HtmlForm enrolForm = HtmlForm.Find(html, "/mfa/enrol");
                string codes = await (await browser.PostAsync(enrolForm.Action, enrolForm.With("code", TestTotp.Code(key, Server.Clock.GetUtcNow())).ToContent())).Content.ReadAsStringAsync();
                HtmlForm next = HtmlForm.Find(codes, "/mfa/continue");
                callback = await browser.PostAsync(next.Action, next.ToContent());
                break;
        }

        Assert.That(callback.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await callback.Content.ReadAsStringAsync());
        JsonElement tokens = await RedeemAsync(org, callback.Headers.Location!);
        Assert.That(IdTokenClaim(tokens, "amr"), Is.EqualTo(amr));
        Assert.That(IdTokenClaim(tokens, "acr"), Is.EqualTo(amr.Contains("mfa", StringComparison.Ordinal) ? "\"urn:clavex:acr:mfa\"" : "\"urn:clavex:acr:pwd\""));
    }

    /// <summary>
    /// Password, then the enrolment page's passkey form with a fresh registration; the recovery codes, the tokens, and the
    /// user handle the options gave the authenticator.
    /// </summary>
    private async Task<(string[] RecoveryCodes, JsonElement Tokens, byte[] UserHandle)> RegisterAsync(
        TestOrganization org, SoftwareAuthenticator authenticator, byte flags = SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.UserVerified)
    {
        using HttpClient browser = Server.CreateClient();
        string page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        (HtmlForm form, string options) = PasskeyForm(page, "/mfa/enrol/passkey");
        HttpResponseMessage codes = await browser.PostAsync(form.Action,
            form.With("webauthn_response", authenticator.Register(options, Origin, flags)).With("passkey_name", "Phone").ToContent());
        string codesPage = await codes.Content.ReadAsStringAsync();
        Assert.That(codes.StatusCode, Is.EqualTo(HttpStatusCode.OK), codesPage);
        string[] recovery = [.. RecoveryCodePattern().Matches(codesPage).Select(m => m.Groups[1].Value)];
        HtmlForm next = HtmlForm.Find(codesPage, "/mfa/continue");
        HttpResponseMessage callback = await browser.PostAsync(next.Action, next.ToContent());
        Assert.That(callback.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await callback.Content.ReadAsStringAsync());
        byte[] handle = System.Buffers.Text.Base64Url.DecodeFromChars(Options(options).GetProperty("user").GetProperty("id").GetString()!);
        return (recovery, await RedeemAsync(org, callback.Headers.Location!), handle);
    }

    /// <summary>A fresh browser: password, then an assertion with this counter and these flags; the status of the answer.</summary>
    private async Task<HttpStatusCode> SecondFactorAsync(
        TestOrganization org, SoftwareAuthenticator authenticator, uint signCount, byte flags = SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.UserVerified)
    {
        using HttpClient browser = Server.CreateClient();
        string page = await (await PasswordAsync(browser, org)).Content.ReadAsStringAsync();
        (HtmlForm form, string options) = PasskeyForm(page, "/mfa/passkey");
        HttpResponseMessage response = await browser.PostAsync(form.Action, form.With("webauthn_response", authenticator.Assert(options, Origin, signCount, null, flags)).ToContent());
        return response.StatusCode;
    }

    /// <summary>The login page's passkey button with an assertion; the tokens, or null when the login page came back.</summary>
    private async Task<JsonElement?> PasswordlessAsync(
        TestOrganization org, SoftwareAuthenticator authenticator, uint signCount, byte[] handle, byte flags = SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.UserVerified)
    {
        using HttpClient browser = Server.CreateClient();
        string login = await (await browser.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync();
        (HtmlForm form, string options) = PasskeyForm(login, "/login/passkey");
        Assert.That(Options(options).GetProperty("userVerification").GetString(), Is.EqualTo("required"));
        HttpResponseMessage response = await browser.PostAsync(form.Action, form.With("webauthn_response", authenticator.Assert(options, Origin, signCount, handle, flags)).ToContent());
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(Clavex.Server.Login.PageTexts.English.IncorrectPasskeyAtLogin));
            return null;
        }

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        return await RedeemAsync(org, response.Headers.Location!);
    }

    private async Task<JsonElement> RedeemAsync(TestOrganization org, Uri callback)
    {
        using HttpClient jira = Server.CreateClient();
        HttpResponseMessage token = await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
        return await JsonAsync(token);
    }

    private static async Task<HttpResponseMessage> PasswordAsync(HttpClient browser, TestOrganization org)
    {
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        return await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());
    }

    private static async Task<string> PageAsync(HttpClient browser, HtmlForm form)
    {
        HttpResponseMessage response = await browser.PostAsync(form.Action, form.ToContent());
        string page = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
        return page;
    }

    private async Task SetPolicyAsync(TestOrganization org, string json) =>
        await AdminJsonAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", json, HttpStatusCode.OK);

    /// <summary>Whether the newest event of that type gets that reason within a few seconds (the audit writer is asynchronous).</summary>
    private static async Task<bool> ReasonEventuallyAsync(long organizationId, string eventType, string reason)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (await AuditDetailAsync(organizationId, eventType, "reason") == reason)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    private static (HtmlForm Form, string Options) PasskeyForm(string page, string action)
    {
        HtmlForm form = HtmlForm.Find(page, action);
        Match options = PasskeyOptionsPattern().Match(page[page.IndexOf("action=\"" + form.Action + "\"", StringComparison.Ordinal)..]);
        Assert.That(options.Success, Is.True, $"the form posting to {action} carries its options");
        return (form, WebUtility.HtmlDecode(options.Groups[1].Value));
    }

    private static JsonElement Options(string json) => JsonDocument.Parse(json).RootElement;

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] RandomHandle() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    [GeneratedRegex("data-passkey-options=\"([^\"]*)\"")]
    private static partial Regex PasskeyOptionsPattern();

    [GeneratedRegex("<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")]
    private static partial Regex RecoveryCodePattern();
}
