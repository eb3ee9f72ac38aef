using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, races on single-use credentials: an attacker holding a stolen code or refresh token fires it many times
/// at once, hoping two redemptions slip through. PostgreSQL's row lock lets one through; every other one is a replay,
/// and a replay revokes the grant (code replay, RFC 6749 §4.1.2; refresh-token reuse, RFC 9700 §4.14.2), so even the
/// one that got through ends up holding dead tokens. The concurrent wrong-passwords lockout test is
/// <c>Server/AccountLockoutTests</c>.
/// </summary>
public class ConcurrentRedemptionTests : AdversarialTestBase
{
    private const int CodeRedemptions = 100;
    private const int Refreshes = 20;

    [Test]
    public async Task Of_100_concurrent_redemptions_of_one_code_exactly_one_succeeds_and_the_replays_revoke_its_tokens()
    {
        // RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more than once. If an authorization code is
        // used more than once, the authorization server MUST deny the request and SHOULD revoke (when possible) all
        // tokens previously issued based on that authorization code." RFC 9700 §4.5.3.
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        string code = Query(await SignInAsync(browser, org, AuthorizeUrl(org, OfflineScope)))["code"];
        using HttpClient jira = Server.CreateClient();

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, CodeRedemptions).Select(_ => jira.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback), ("client_id", "atlassian"), ("client_secret", org.ClientSecret)))));

        HttpResponseMessage[] succeeded = [.. responses.Where(r => r.StatusCode == HttpStatusCode.OK)];
        Assert.That(succeeded, Has.Length.EqualTo(1));
        foreach (HttpResponseMessage replay in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AssertErrorAsync(replay, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has already been used.");
        }

        JsonElement tokens = await JsonAsync(succeeded[0]);
        Assert.That(await IntrospectAsync(org, tokens.GetProperty("access_token").GetString()!), Is.EqualTo("""{"active":false}"""));
        AssertInvalidToken(await UserInfoAsync(org, tokens.GetProperty("access_token").GetString()!), "The access token has been revoked.");
        await AssertErrorAsync(await RefreshAsync(org, tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant", "The refresh token has been revoked.");
    }

    [Test]
    public async Task Of_20_concurrent_refreshes_of_one_token_one_succeeds_and_the_reuse_leaves_no_refresh_token_valid()
    {
        // RFC 9700 §4.14.2: with rotation, a refresh token used twice means one of the two users is an attacker, and
        // "the authorization server cannot determine which party submitted the invalid refresh token", so the active
        // one is invalidated as well; RFC 6749 §10.4.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string refreshToken = (await TokensAsync(org)).GetProperty("refresh_token").GetString()!;
        using HttpClient jira = Server.CreateClient();

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, Refreshes).Select(_ => jira.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", "atlassian"), ("client_secret", org.ClientSecret)))));

        HttpResponseMessage[] succeeded = [.. responses.Where(r => r.StatusCode == HttpStatusCode.OK)];
        Assert.That(succeeded, Has.Length.EqualTo(1), "the row lock lets exactly one rotation through");
        foreach (HttpResponseMessage reuse in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            // Reuse detected on the rotated token, or (after another reuse revoked the grant) the revocation itself.
            string body = await reuse.Content.ReadAsStringAsync();
            Assert.That(reuse.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
            JsonElement error = JsonDocument.Parse(body).RootElement;
            Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
            Assert.That(error.GetProperty("error_description").GetString(),
                Is.AnyOf("The refresh token was already used; the grant has been revoked.", "The refresh token has been revoked."));
        }

        JsonElement winner = await JsonAsync(succeeded[0]);
        string successor = winner.GetProperty("refresh_token").GetString()!;
        Assert.That(await IntrospectAsync(org, refreshToken), Is.EqualTo("""{"active":false}"""));
        Assert.That(await IntrospectAsync(org, successor), Is.EqualTo("""{"active":false}"""), "the family is revoked");
        Assert.That(await IntrospectAsync(org, winner.GetProperty("access_token").GetString()!), Is.EqualTo("""{"active":false}"""));
        await AssertErrorAsync(await RefreshAsync(org, successor), HttpStatusCode.BadRequest, "invalid_grant", "The refresh token has been revoked.");
    }

    [Test]
    public async Task Of_10_concurrent_posts_of_one_authenticator_code_exactly_one_signs_in()
    {
        // RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP after the successful validation
        // has been issued for the first OTP"; ten pending sessions (the password is known) race with the one code.
        const int Posts = 10;
        TestOrganization org = await Server.SeedOrganizationAsync();
        byte[] key;
        using (HttpClient enrolling = Server.CreateClient())
        {
            key = (await EnrolAsync(enrolling, org)).Key;
        }

        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        var browsers = new List<HttpClient>(Posts);
        var forms = new List<HtmlForm>(Posts);
        for (int i = 0; i < Posts; i++)
        {
            browsers.Add(Server.CreateClient());
            forms.Add(HtmlForm.Find(await (await PasswordAsync(browsers[i], org, org.AlicePassword)).Content.ReadAsStringAsync(), "/mfa"));
        }

        string code = TestTotp.Code(key, Server.Clock.GetUtcNow());
        HttpResponseMessage[] responses = await Task.WhenAll(browsers.Select((browser, i) => browser.PostAsync(forms[i].Action, forms[i].With("code", code).ToContent())));
        browsers.ForEach(browser => browser.Dispose());

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.SeeOther), Is.EqualTo(1));
        foreach (HttpResponseMessage refused in responses.Where(r => r.StatusCode != HttpStatusCode.SeeOther))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("That code is not valid"));
        }
    }
}
