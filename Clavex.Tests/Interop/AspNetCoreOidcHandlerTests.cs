using System.Net;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Tests.Server;
using Clavex.Tests.Support;

namespace Clavex.Tests.Interop;

/// <summary>
/// ASP.NET Core's OpenID Connect handler (Microsoft.AspNetCore.Authentication.OpenIdConnect) as the relying party:
/// code flow with PKCE, ID token validated by the handler against Clavex's JWKS, userinfo, saved tokens, and
/// RP-initiated logout, driven by a cookie-keeping client that follows no redirect by itself.
/// </summary>
public class AspNetCoreOidcHandlerTests : ServerTestBase
{
    [TestCase(TokenEndpointAuthMethod.ClientSecretPost)]
    [TestCase(TokenEndpointAuthMethod.ClientSecretBasic)]
    public async Task The_handler_signs_alice_in_with_code_flow_pkce_and_userinfo(TokenEndpointAuthMethod method)
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        int port = AspNetCoreRelyingParty.FreePort();
        RegisteredClient client = await InteropClients.RegisterAsync(Server, org, "aspnetcore", port, method);
        await using AspNetCoreRelyingParty rp = await AspNetCoreRelyingParty.StartAsync(org.Issuer, port, client, method == TokenEndpointAuthMethod.ClientSecretBasic);
        using HttpClient browser = CreateBrowser();

        JsonElement me = await SignInThroughAsync(browser, rp, org);

        Assert.That(me.GetProperty("name").GetString(), Is.EqualTo("alice"));
        var claims = me.GetProperty("claims").EnumerateArray().Select(c => (c.GetProperty("type").GetString(), c.GetProperty("value").GetString())).ToList();
        Assert.That(claims, Does.Contain(("sub", org.AliceSubject)));
        Assert.That(claims, Does.Contain(("preferred_username", "alice")));
        Assert.That(claims, Does.Contain(("email", "alice@acme.eu")));
        Assert.That(claims, Does.Contain(("name", "Alice Andersson")));
        string? subjectIssuer = me.GetProperty("claims").EnumerateArray().First(c => c.GetProperty("type").GetString() == "sub").GetProperty("issuer").GetString();
        Assert.That(subjectIssuer, Is.EqualTo(org.Issuer), "the handler validated the ID token's iss");
        Assert.That(claims.Where(c => c.Item1 == "groups").Select(c => c.Item2).Distinct(),
            Is.EquivalentTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));
        Assert.That(me.GetProperty("access_token").GetString(), Is.Not.Empty);
        Assert.That(me.GetProperty("id_token").GetString()!.Split('.'), Has.Length.EqualTo(3));
        Assert.That(me.GetProperty("refresh_token").GetString(), Is.Not.Empty);
        Assert.That(me.GetProperty("token_type").GetString(), Is.EqualTo("Bearer").IgnoreCase);
        bool basic = method == TokenEndpointAuthMethod.ClientSecretBasic;
        Assert.That(rp.Backchannel.TokenRequests, Is.EqualTo(new[] { (basic, !basic) }), "what the token request carried on the wire");
    }

    [Test]
    public async Task Signing_out_goes_through_the_end_session_endpoint_and_back_to_the_app()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        int port = AspNetCoreRelyingParty.FreePort();
        RegisteredClient client = await InteropClients.RegisterAsync(Server, org, "aspnetcore", port, TokenEndpointAuthMethod.ClientSecretPost);
        await using AspNetCoreRelyingParty rp = await AspNetCoreRelyingParty.StartAsync(org.Issuer, port, client, clientSecretBasic: false);
        using HttpClient browser = CreateBrowser();
        await SignInThroughAsync(browser, rp, org);

        HttpResponseMessage toClavex = await browser.GetAsync(new Uri(rp.BaseUrl, "/signout"));
        Assert.That(toClavex.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Uri endSession = toClavex.Headers.Location!;
        Assert.That(endSession.GetLeftPart(UriPartial.Path), Is.EqualTo(org.Issuer + "/logout"));
        Assert.That(Query(endSession), Does.ContainKey("id_token_hint"));
        Assert.That(Query(endSession)["post_logout_redirect_uri"], Is.EqualTo(client.PostLogoutRedirectUri));
        string state = Query(endSession)["state"];

        HttpResponseMessage back = await browser.GetAsync(endSession);
        Assert.That(back.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await back.Content.ReadAsStringAsync());
        Uri callback = back.Headers.Location!;
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(client.PostLogoutRedirectUri));
        Assert.That(Query(callback)["state"], Is.EqualTo(state));

        HttpResponseMessage landed = await browser.GetAsync(callback);
        Assert.That(landed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(landed.Headers.Location!.OriginalString, Is.EqualTo("/signed-out"));
        HttpResponseMessage signedOut = await browser.GetAsync(new Uri(rp.BaseUrl, "/signed-out"));
        Assert.That(await signedOut.Content.ReadAsStringAsync(), Is.EqualTo("signed out"));

        // Signed out at Clavex too: the next visit asks for the password again.
        HttpResponseMessage again = await browser.GetAsync(new Uri(rp.BaseUrl, "/protected"));
        HttpResponseMessage loginPage = await browser.GetAsync(again.Headers.Location!);
        Assert.That(loginPage.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await loginPage.Content.ReadAsStringAsync(), Does.Contain("name=\"password\""));
    }

    internal static HttpClient CreateBrowser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true });

    /// <summary>Visits the app's protected page, signs in at Clavex's form and follows the redirects back; returns the page.</summary>
    internal static async Task<JsonElement> SignInThroughAsync(HttpClient browser, AspNetCoreRelyingParty rp, TestOrganization org)
    {
        HttpResponseMessage challenge = await browser.GetAsync(new Uri(rp.BaseUrl, "/protected"));
        Assert.That(challenge.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Uri authorize = challenge.Headers.Location!;
        Assert.That(authorize.GetLeftPart(UriPartial.Path), Is.EqualTo(org.Issuer + "/authorize"));
        Assert.That(Query(authorize)["code_challenge_method"], Is.EqualTo("S256"));

        HttpResponseMessage page = await browser.GetAsync(authorize);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), await page.Content.ReadAsStringAsync());
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        HttpResponseMessage result = await browser.PostAsync(
            new Uri(authorize, login.Action), login.With("username", "alice").With("password", org.AlicePassword).ToContent());
        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await result.Content.ReadAsStringAsync());
        Uri callback = result.Headers.Location!;
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(new Uri(rp.BaseUrl, "/signin-oidc").AbsoluteUri));

        HttpResponseMessage signedIn = await browser.GetAsync(callback);
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await signedIn.Content.ReadAsStringAsync());
        Assert.That(signedIn.Headers.Location!.OriginalString, Is.EqualTo("/protected"));

        HttpResponseMessage protectedPage = await browser.GetAsync(new Uri(rp.BaseUrl, "/protected"));
        Assert.That(protectedPage.StatusCode, Is.EqualTo(HttpStatusCode.OK), await protectedPage.Content.ReadAsStringAsync());
        return await JsonAsync(protectedPage);
    }
}
