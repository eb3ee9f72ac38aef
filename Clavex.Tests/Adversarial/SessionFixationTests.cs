using System.Net;
using System.Security.Cryptography;
using Clavex.Core.Jose;
using Clavex.Server.Http;
using Clavex.Server.Login;
using Clavex.Tests.Server;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, session fixation: a session secret the attacker knows before the victim signs in (one they planted, or
/// one of their own sessions) is never the victim's session afterwards. Every sign-in and every second factor starts
/// a session under a new secret and ends the one the browser held.
/// </summary>
public class SessionFixationTests : AdversarialTestBase
{
    [Test]
    public async Task A_planted_session_cookie_is_not_adopted_at_sign_in()
    {
        // OWASP Session Management (renew the session id after authentication); OIDC Core §3.1.2.3 authenticates
        // the user, not a value the browser brought along.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string planted = Base64UrlEncoding.Encode(RandomNumberGenerator.GetBytes(32));
        var cookies = new CookieContainer();
        cookies.Add(new Uri(Server.BaseUrl, $"/{org.Slug}/"), new Cookie(SessionCookie.Name, planted, $"/{org.Slug}/"));
        using HttpClient victim = Server.CreateClient(cookies);

        await SignInAsync(victim, org);

        string after = SessionSecret(cookies, org)!;
        Assert.That(after, Is.Not.EqualTo(planted));
        Assert.That(await IsSignedInAsync(org, planted), Is.False, "the planted value signs no one in");
        Assert.That(await IsSignedInAsync(org, after), Is.True);
    }

    [Test]
    public async Task The_session_cookie_after_sign_in_differs_from_every_cookie_before_it()
    {
        // RFC 9700 §4.7 and OWASP: no value the browser was given before authenticating becomes the session.
        TestOrganization org = await Server.SeedOrganizationAsync();
        var cookies = new CookieContainer();
        using HttpClient victim = Server.CreateClient(cookies);
        HtmlForm login = HtmlForm.Find(await (await victim.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        string[] before = [.. cookies.GetAllCookies().Select(c => c.Value), login.Get(AntiforgeryTokens.FormFieldName)];
        Assert.That(cookies.GetAllCookies().Any(c => c.Name == SessionCookie.Name), Is.False, "no session before the password");

        HttpResponseMessage signedIn = await victim.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());

        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(before, Has.No.Member(SessionSecret(cookies, org)));
    }

    [Test]
    public async Task An_attackers_own_session_planted_in_the_victims_browser_is_ended_when_the_victim_signs_in()
    {
        // The attacker signs in, plants their session secret and waits for the victim to sign in over it (prompt=login,
        // OIDC Core §3.1.2.1); the secret they know must not become the victim's session.
        TestOrganization org = await Server.SeedOrganizationAsync();
        var attackerCookies = new CookieContainer();
        using HttpClient attacker = Server.CreateClient(attackerCookies);
        await SignInAsync(attacker, org);
        string known = SessionSecret(attackerCookies, org)!;
        var cookies = new CookieContainer();
        cookies.Add(new Uri(Server.BaseUrl, $"/{org.Slug}/"), new Cookie(SessionCookie.Name, known, $"/{org.Slug}/"));
        using HttpClient victim = Server.CreateClient(cookies);

        await SignInAsync(victim, org, AuthorizeUrl(org, extra: ("prompt", "login")));

        Assert.That(SessionSecret(cookies, org), Is.Not.EqualTo(known));
        Assert.That(await IsSignedInAsync(org, known), Is.False, "the replaced session ended");
    }

    [Test]
    public async Task The_session_waiting_for_the_second_factor_is_replaced_when_the_factor_is_given()
    {
        // A secret captured between the password and the second factor (RFC 9700 §4.7) must not gain the factor.
        TestOrganization org = await Server.SeedOrganizationAsync();
        await RequireMfaAsync(org);
        var cookies = new CookieContainer();
        using HttpClient victim = Server.CreateClient(cookies);
        HtmlForm login = HtmlForm.Find(await (await victim.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        string page = await (await victim.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent())).Content.ReadAsStringAsync();
        string pending = SessionSecret(cookies, org)!;
        Assert.That(await IsSignedInAsync(org, pending), Is.False, "waiting for its factor: not signed in");
        HtmlForm enrol = HtmlForm.Find(page, "/mfa/enrol");

        HttpResponseMessage codes = await victim.PostAsync(enrol.Action, enrol.With("code", TestTotp.Code(SecondFactorTests.KeyOf(page), Server.Clock.GetUtcNow())).ToContent());

        Assert.That(codes.StatusCode, Is.EqualTo(HttpStatusCode.OK), await codes.Content.ReadAsStringAsync());
        string complete = SessionSecret(cookies, org)!;
        Assert.That(complete, Is.Not.EqualTo(pending));
        Assert.That(await IsSignedInAsync(org, complete), Is.True);
        Assert.That(await IsSignedInAsync(org, pending), Is.False, "the pending session ended with the factor");
    }
}
