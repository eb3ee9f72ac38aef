using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clavex.Server.Login;
using Clavex.Tests.Server;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, headers as a defence: every page a browser can reach over the real server carries the policy that keeps
/// it out of frames and scripts (what <c>Login/SecurityHeadersTests</c> checks for each page kind, here for each
/// page as served), and every answer carrying or refusing a token is <c>no-store</c>.
/// </summary>
public class ResponseHeaderTests : AdversarialTestBase
{
    /// <summary>A page a browser can be shown.</summary>
    public enum Page
    {
        Login,
        WrongPassword,
        AuthorizeError,
        Consent,
        Enrolment,
        RecoveryCodes,
        SecondFactor,
        FormPost,
        LogoutConfirm,
        LoggedOut,
        LogoutRefused,
        FormExpired,
        Throttled,
        Account,
        AccountRefusal,
        NotFound,
    }

    /// <summary>An answer of the token, userinfo, introspection or revocation endpoint.</summary>
    public enum TokenAnswer
    {
        CodeRedeemed,
        Refreshed,
        InvalidGrant,
        InvalidClient,
        InvalidClientOverBasic,
        UnsupportedGrantType,
        NotAForm,
        UserInfo,
        UserInfoInvalidToken,
        UserInfoWithoutToken,
        IntrospectionActive,
        IntrospectionInactive,
        IntrospectionInvalidClient,
        Revocation,
    }

    private static int s_address;

    [Test]
    public async Task Every_page_is_sent_unframeable_without_script_sniffing_referrer_or_caching([Values] Page page)
    {
        // RFC 9700 §4.16 (clickjacking: frame-ancestors), RFC 6749 §10.13; CSP Level 3 default-src/base-uri;
        // OIDC Core §3.1.2.1 pages carry codes and tokens in forms, so nothing may cache them (RFC 9111 §5.2.2.5).
        TestOrganization org = await Server.SeedOrganizationAsync();

        HttpResponseMessage response = await PageAsync(org, page);

        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"), $"{page}: {(int)response.StatusCode}");
        string csp = response.Headers.GetValues(SecurityHeaders.ContentSecurityPolicy).Single();
        var directives = csp.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(directives["default-src"], Is.EqualTo("'none'"));
            Assert.That(directives["frame-ancestors"], Is.EqualTo("'none'"));
            Assert.That(directives["base-uri"], Is.EqualTo("'none'"));
            Assert.That(directives.ContainsKey("form-action"), Is.True);
            Assert.That(csp, Does.Not.Contain("unsafe").And.Not.Contain("*"));
            Assert.That(response.Headers.GetValues(SecurityHeaders.XContentTypeOptions).Single(), Is.EqualTo("nosniff"));
            Assert.That(response.Headers.GetValues(SecurityHeaders.ReferrerPolicy).Single(), Is.EqualTo("no-referrer"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        }
    }

    [Test]
    public async Task Every_token_userinfo_introspection_and_revocation_answer_is_no_store([Values] TokenAnswer answer)
    {
        // RFC 6749 §5.1 and §5.2 (token responses and their errors: Cache-Control no-store), RFC 6750 §5.3,
        // RFC 7662 §4 (introspection responses), OIDC Core §5.3.2.
        TestOrganization org = await SharedOrganizationAsync();

        (HttpResponseMessage response, HttpStatusCode expected) = await AnswerAsync(org, answer);

        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        if (response.Content.Headers.ContentLength > 0)
        {
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
        }
    }

    private async Task<HttpResponseMessage> PageAsync(TestOrganization org, Page page)
    {
        var cookies = new CookieContainer();
        using HttpClient browser = Server.CreateClient(cookies, forwardedFor: NewAddress());
        switch (page)
        {
            case Page.Login:
                return await browser.GetAsync(AuthorizeUrl(org));
            case Page.WrongPassword:
                return await PasswordAsync(browser, org, "not the password");
            case Page.AuthorizeError:
                return await browser.GetAsync(AuthorizeUrl(org, extra: ("redirect_uri", "https://evil.example/")));
            case Page.Consent:
                return await PasswordAsync(browser, org, org.AlicePassword, AuthorizeUrl(org, extra: ("prompt", "consent")));
            case Page.Enrolment:
                await RequireMfaAsync(org);
                return await PasswordAsync(browser, org, org.AlicePassword);
            case Page.RecoveryCodes:
                return (await EnrolAsync(browser, org)).RecoveryCodes;
            case Page.SecondFactor:
                using (HttpClient first = Server.CreateClient())
                {
                    await EnrolAsync(first, org);
                }

                return await PasswordAsync(browser, org, org.AlicePassword);
            case Page.FormPost:
                await SignInAsync(browser, org);
                return await browser.GetAsync(AuthorizeUrl(org, extra: ("response_mode", "form_post")));
            case Page.LogoutConfirm:
                await SignInAsync(browser, org);
                return await browser.GetAsync($"/{org.Slug}/logout");
            case Page.LoggedOut:
                return await browser.GetAsync($"/{org.Slug}/logout");
            case Page.LogoutRefused:
                return await browser.GetAsync($"/{org.Slug}/logout?client_id=atlassian&post_logout_redirect_uri={Uri.EscapeDataString("https://evil.example/")}");
            case Page.FormExpired:
                return await browser.PostAsync($"/{org.Slug}/login", Form(("username", "alice"), ("password", org.AlicePassword)));
            case Page.Throttled:
                for (int i = 0; i < Clavex.Server.Storage.RequestLimits.SignInFailuresPerAddressAndUsername.Default; i++)
                {
                    await PasswordAsync(browser, org, "not the password");
                }

                HttpResponseMessage throttled = await PasswordAsync(browser, org, "not the password");
                Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
                return throttled;
            case Page.Account:
                await AccountPageTests.SignInToAccountAsync(browser, org);
                return await browser.GetAsync($"/{org.Slug}/account");
            case Page.AccountRefusal:
                string account = await AccountPageTests.SignInToAccountAsync(browser, org);
                HtmlForm change = HtmlForm.Find(account, "/account/password");
                return await browser.PostAsync(change.Action, change.With("current_password", "not it").With("new_password", "a much longer new passphrase").ToContent());
            case Page.NotFound:
                using (var request = new HttpRequestMessage(HttpMethod.Get, $"/{org.Slug}/no-such-page"))
                {
                    request.Headers.Accept.ParseAdd("text/html");
                    return await browser.SendAsync(request);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(page), page, null);
        }
    }

    private async Task<(HttpResponseMessage Response, HttpStatusCode Expected)> AnswerAsync(TestOrganization org, TokenAnswer answer)
    {
        using HttpClient client = Server.CreateClient();
        switch (answer)
        {
            case TokenAnswer.CodeRedeemed:
                using (HttpClient browser = Server.CreateClient())
                {
                    Uri callback = await SignInAsync(browser, org, AuthorizeUrl(org, OfflineScope));
                    return (await client.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)), HttpStatusCode.OK);
                }

            case TokenAnswer.Refreshed:
                return (await RefreshAsync(org, (await TokensAsync(org)).GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
            case TokenAnswer.InvalidGrant:
                return (await TokenAsync(org, ("grant_type", "authorization_code"), ("code", "not-a-code"), ("redirect_uri", JiraCallback)), HttpStatusCode.BadRequest);
            case TokenAnswer.InvalidClient:
                return (await PostAsync(org, "token", "cs_wrong", ("grant_type", "authorization_code"), ("code", "x")), HttpStatusCode.Unauthorized);
            case TokenAnswer.InvalidClientOverBasic:
                using (var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token") { Content = Form(("grant_type", "authorization_code"), ("code", "x")) })
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("atlassian:cs_wrong")));
                    return (await client.SendAsync(request), HttpStatusCode.Unauthorized);
                }

            case TokenAnswer.UnsupportedGrantType:
                return (await TokenAsync(org, ("grant_type", "password"), ("username", "alice"), ("password", org.AlicePassword)), HttpStatusCode.BadRequest);
            case TokenAnswer.NotAForm:
                return (await client.PostAsync($"/{org.Slug}/token", new StringContent("""{"grant_type":"authorization_code"}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
            case TokenAnswer.UserInfo:
                return (await UserInfoAsync(org, (await TokensAsync(org)).GetProperty("access_token").GetString()!), HttpStatusCode.OK);
            case TokenAnswer.UserInfoInvalidToken:
                return (await UserInfoAsync(org, "eyJhbGciOiJub25lIn0.e30."), HttpStatusCode.Unauthorized);
            case TokenAnswer.UserInfoWithoutToken:
                return (await client.GetAsync($"/{org.Slug}/userinfo"), HttpStatusCode.Unauthorized);
            case TokenAnswer.IntrospectionActive:
                return (await PostAsync(org, "introspect", org.ClientSecret, ("token", (await TokensAsync(org)).GetProperty("access_token").GetString()!)), HttpStatusCode.OK);
            case TokenAnswer.IntrospectionInactive:
                return (await PostAsync(org, "introspect", org.ClientSecret, ("token", "nonsense")), HttpStatusCode.OK);
            case TokenAnswer.IntrospectionInvalidClient:
                return (await PostAsync(org, "introspect", "cs_wrong", ("token", "nonsense")), HttpStatusCode.Unauthorized);
            case TokenAnswer.Revocation:
                return (await PostAsync(org, "revoke", org.ClientSecret, ("token", "nonsense")), HttpStatusCode.OK);
            default:
                throw new ArgumentOutOfRangeException(nameof(answer), answer, null);
        }
    }

    /// <summary>Each page test comes from an address of its own, so the login throttle sees only its own failures.</summary>
    private static string NewAddress() => $"198.51.100.{Interlocked.Increment(ref s_address) % 250}";
}
