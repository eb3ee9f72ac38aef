using System.Net;
using Clavex.Core.Clients;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, skipping a step of the sign-in: an attacker who knows the password but not the second factor holds a
/// session that waits for the factor. Posting a later step's form (consent, continue) or going back to authorize must
/// neither issue a code nor record anything in the user's name.
/// </summary>
public class SignInStepSkippingTests : AdversarialTestBase
{
    [Test]
    public async Task A_consent_posted_by_a_session_waiting_for_its_second_factor_records_nothing()
    {
        // Issue 16 regression: the consent form recorded the consent of a session that had given only the password, so
        // the password alone could consent in the user's name and her next sign-in skipped the question.
        // OIDC Core §3.1.2.4 (consent is obtained from the authenticated end-user), RFC 9700 §4.15 (the user must see
        // what they authorise).
        TestOrganization org = await Server.SeedOrganizationAsync();
        byte[] key = await EnrolAliceAndRegisterWikiAsync(org);
        string wiki = AuthorizeUrl(org, "openid", ("client_id", "wiki"));
        using HttpClient attacker = Server.CreateClient();
        string factorPage = await (await PasswordAsync(attacker, org, org.AlicePassword, wiki)).Content.ReadAsStringAsync();
        HtmlForm forged = HtmlForm.Find(factorPage, "/mfa");

        HttpResponseMessage consent = await attacker.PostAsync($"/{org.Slug}/consent", forged.With(FormFieldNames.Decision, FormFieldNames.Allow).ToContent());

        Assert.That(consent.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the second factor is still asked for");
        Assert.That(consent.Headers.Location, Is.Null, "no code");
        HtmlForm.Find(await consent.Content.ReadAsStringAsync(), "/mfa");
        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        using HttpClient alice = Server.CreateClient();
        HtmlForm code = HtmlForm.Find(await (await PasswordAsync(alice, org, org.AlicePassword, wiki)).Content.ReadAsStringAsync(), "/mfa");
        HttpResponseMessage afterFactor = await alice.PostAsync(code.Action, code.With("code", TestTotp.Code(key, Server.Clock.GetUtcNow())).ToContent());
        Assert.That(afterFactor.StatusCode, Is.EqualTo(HttpStatusCode.OK), "alice is asked, not sent back with a code");
        HtmlForm.Find(await afterFactor.Content.ReadAsStringAsync(), "/consent");
    }

    [Test]
    public async Task A_session_waiting_for_its_second_factor_gets_the_factor_page_at_authorize_and_no_code()
    {
        // OIDC Core §3.1.2.3: the OP authenticates the end-user before issuing a code; the pending session is not that.
        TestOrganization org = await Server.SeedOrganizationAsync();
        await EnrolAliceAndRegisterWikiAsync(org);
        using HttpClient attacker = Server.CreateClient();
        await PasswordAsync(attacker, org, org.AlicePassword);

        HttpResponseMessage again = await attacker.GetAsync(AuthorizeUrl(org));
        HttpResponseMessage silent = await attacker.GetAsync(AuthorizeUrl(org, extra: ("prompt", "none")));

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        HtmlForm.Find(await again.Content.ReadAsStringAsync(), "/mfa");
        Assert.That(silent.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(silent.Headers.Location!).ContainsKey("code"), Is.False);
        Assert.That(Query(silent.Headers.Location!)["error"], Is.EqualTo("interaction_required").Or.EqualTo("login_required"));
    }

    [Test]
    public async Task Continue_posted_by_a_session_waiting_for_its_second_factor_issues_no_code()
    {
        // The recovery-codes page's Continue is meant for the moment after a factor; without one it must not finish.
        TestOrganization org = await Server.SeedOrganizationAsync();
        await EnrolAliceAndRegisterWikiAsync(org);
        using HttpClient attacker = Server.CreateClient();
        HtmlForm forged = HtmlForm.Find(await (await PasswordAsync(attacker, org, org.AlicePassword)).Content.ReadAsStringAsync(), "/mfa");

        HttpResponseMessage response = await attacker.PostAsync($"/{org.Slug}/mfa/continue", forged.ToContent());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Location, Is.Null);
        HtmlForm.Find(await response.Content.ReadAsStringAsync(), "/mfa");
    }

    [Test]
    public async Task An_account_change_posted_by_a_session_waiting_for_its_second_factor_changes_nothing()
    {
        // The password alone must not change the password (and so take the account over past its second factor):
        // the account page asks a pending session to sign in (OIDC Core §3.1.2.3).
        TestOrganization org = await Server.SeedOrganizationAsync();
        await EnrolAliceAndRegisterWikiAsync(org);
        using HttpClient attacker = Server.CreateClient();
        HtmlForm pending = HtmlForm.Find(await (await PasswordAsync(attacker, org, org.AlicePassword)).Content.ReadAsStringAsync(), "/mfa");

        HttpResponseMessage change = await attacker.PostAsync($"/{org.Slug}/account/password", Form(
            (AntiforgeryTokens.FormFieldName, pending.Get(AntiforgeryTokens.FormFieldName)), ("current_password", org.AlicePassword),
            ("new_password", "the attacker's own passphrase")));

        Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(change.Headers.Location!.OriginalString, Does.StartWith($"/{org.Slug}/authorize?").And.Contain("client_id=clavex-account"));
        using HttpClient alice = Server.CreateClient();
        HttpResponseMessage signIn = await PasswordAsync(alice, org, org.AlicePassword);
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), "her password still opens the second-factor page");
        HtmlForm.Find(await signIn.Content.ReadAsStringAsync(), "/mfa");
    }

    /// <summary>Alice enrols an app under the required policy; the wiki client asks for consent. The app's key.</summary>
    private async Task<byte[]> EnrolAliceAndRegisterWikiAsync(TestOrganization org)
    {
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client { OrganizationId = org.Id, ClientId = "wiki", ClientName = "Team Wiki", RequireConsent = true, RedirectUris = [JiraCallback], Scopes = ["openid"] },
            CancellationToken.None);
        using HttpClient browser = Server.CreateClient();
        return (await EnrolAsync(browser, org)).Key;
    }
}
