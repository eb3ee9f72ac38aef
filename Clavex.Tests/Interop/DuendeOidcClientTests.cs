using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Server.Storage;
using Clavex.Tests.Server;
using Clavex.Tests.Support;
using Duende.IdentityModel.Client;
using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Clavex.Tests.Interop;

/// <summary>
/// Duende.IdentityModel.OidcClient (an OpenID Certified client library for native apps) as the relying party:
/// <c>PrepareLoginAsync</c>, the browser's part (Clavex's login form) played with an HttpClient,
/// <c>ProcessResponseAsync</c> (code exchange with PKCE, ID token validation against the JWKS, userinfo), refresh.
/// </summary>
public class DuendeOidcClientTests : ServerTestBase
{
    [TestCase(TokenEndpointAuthMethod.ClientSecretPost, ClientCredentialStyle.PostBody)]
    [TestCase(TokenEndpointAuthMethod.ClientSecretBasic, ClientCredentialStyle.AuthorizationHeader)]
    public async Task OidcClient_signs_alice_in_loads_her_profile_and_refreshes(TokenEndpointAuthMethod method, ClientCredentialStyle style)
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        RegisteredClient registered = await InteropClients.RegisterAsync(Server, org, "oidcclient", ClavexTestServer.FreePort(), method, "/callback");
        var client = new OidcClient(new OidcClientOptions
        {
            Authority = org.Issuer,
            ClientId = registered.ClientId,
            ClientSecret = registered.Secret,
            RedirectUri = registered.RedirectUri,
            Scope = "openid profile email groups offline_access",
            TokenClientCredentialStyle = style,
            LoadProfile = true,
            IdentityTokenValidator = new JwksIdentityTokenValidator(),
        });

        AuthorizeState state = await client.PrepareLoginAsync();
        Uri callback = await BrowseAsync(new Uri(state.StartUrl), org);
        LoginResult login = await client.ProcessResponseAsync(callback.AbsoluteUri, state);

        Assert.That(login.IsError, Is.False, $"{login.Error}: {login.ErrorDescription}");
        Assert.That(Query(new Uri(state.StartUrl))["code_challenge_method"], Is.EqualTo("S256"));
        ClaimsPrincipal user = login.User;
        Assert.That(user.FindFirst("sub")?.Value, Is.EqualTo(org.AliceSubject));
        Assert.That(user.FindFirst("preferred_username")?.Value, Is.EqualTo("alice"));
        Assert.That(user.FindFirst("email")?.Value, Is.EqualTo("alice@acme.eu"));
        Assert.That(user.FindAll("groups").Select(c => c.Value).Distinct(),
            Is.EquivalentTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));
        Assert.That(login.RefreshToken, Is.Not.Empty);

        UserInfoResult userinfo = await client.GetUserInfoAsync(login.AccessToken);
        Assert.That(userinfo.IsError, Is.False, userinfo.Error);
        Assert.That(userinfo.Claims.Single(c => c.Type == "email").Value, Is.EqualTo("alice@acme.eu"));

        RefreshTokenResult refreshed = await client.RefreshTokenAsync(login.RefreshToken);
        Assert.That(refreshed.IsError, Is.False, $"{refreshed.Error}: {refreshed.ErrorDescription}");
        Assert.That(refreshed.AccessToken, Is.Not.EqualTo(login.AccessToken));
        UserInfoResult again = await client.GetUserInfoAsync(refreshed.AccessToken);
        Assert.That(again.Claims.Single(c => c.Type == "sub").Value, Is.EqualTo(org.AliceSubject));
    }

    [Test]
    public async Task OidcClient_refreshes_after_a_signing_key_rotation_and_validates_the_new_id_token()
    {
        // Issue 7: the refresh after a rotation (to ES256, so the new key is unmistakable) must validate through
        // OidcClient's own ID token validation against the JWKS it fetches.
        TestOrganization org = await Server.SeedOrganizationAsync();
        OidcClient client = await NewClientAsync(org, "openid profile offline_access");
        AuthorizeState state = await client.PrepareLoginAsync();
        LoginResult login = await client.ProcessResponseAsync((await BrowseAsync(new Uri(state.StartUrl), org)).AbsoluteUri, state);
        Assert.That(login.IsError, Is.False, $"{login.Error}: {login.ErrorDescription}");
        string oldKid = new JsonWebToken(login.IdentityToken).Kid;

        string newKid = await RotateAsync(org, """{"algorithm":"ES256"}""");
        Server.Clock.Advance(KeyRotation.PublicationLead);
        await Server.Services.GetRequiredService<KeyRotation>().RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        RefreshTokenResult refreshed = await client.RefreshTokenAsync(login.RefreshToken);

        Assert.That(refreshed.IsError, Is.False, $"{refreshed.Error}: {refreshed.ErrorDescription}");
        Assert.That(refreshed.IdentityToken, Is.Not.Null.And.Not.Empty, "an ID token came back, so OidcClient validated it");
        var idToken = new JsonWebToken(refreshed.IdentityToken);
        Assert.That(idToken.Kid, Is.EqualTo(newKid).And.Not.EqualTo(oldKid));
        Assert.That(idToken.Alg, Is.EqualTo("ES256"));
        Assert.That(idToken.Subject, Is.EqualTo(org.AliceSubject));
    }

    [Test]
    public async Task OidcClient_sees_the_step_up_an_acr_values_request_causes_inside_an_existing_session()
    {
        // Issue 13: the relying party asks for urn:clavex:acr:mfa on a second sign-in; Clavex steps the password-only
        // session up (enrolment here, since alice has no factor yet) and OidcClient validates the ID token that says so.
        TestOrganization org = await Server.SeedOrganizationAsync();
        OidcClient client = await NewClientAsync(org, "openid profile");
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies });

        AuthorizeState first = await client.PrepareLoginAsync();
        HttpResponseMessage loginPage = await browser.GetAsync(first.StartUrl);
        HtmlForm login = HtmlForm.Find(await loginPage.Content.ReadAsStringAsync(), "/login");
        HttpResponseMessage signedIn = await browser.PostAsync(new Uri(new Uri(first.StartUrl), login.Action),
            login.With("username", "alice").With("password", org.AlicePassword).ToContent());
        LoginResult password = await client.ProcessResponseAsync(signedIn.Headers.Location!.AbsoluteUri, first);
        Assert.That(password.IsError, Is.False, $"{password.Error}: {password.ErrorDescription}");
        Assert.That(password.User.FindFirst("acr")?.Value, Is.EqualTo("urn:clavex:acr:pwd"));

        AuthorizeState second = await client.PrepareLoginAsync(new Parameters { { "acr_values", "urn:clavex:acr:mfa" } });
        HttpResponseMessage enrolment = await browser.GetAsync(second.StartUrl);
        string enrolmentPage = await enrolment.Content.ReadAsStringAsync();
        Assert.That(enrolmentPage, Does.Contain("Set up a second factor").And.Not.Contain("name=\"password\""), "the password is not asked again");
        byte[] secret = SecondFactorTests.KeyOf(enrolmentPage);
        HtmlForm confirm = HtmlForm.Find(enrolmentPage, "/mfa/enrol");
        string codes = await (await browser.PostAsync(new Uri(new Uri(second.StartUrl), confirm.Action),
            confirm.With("code", TestTotp.Code(secret, Server.Clock.GetUtcNow())).ToContent())).Content.ReadAsStringAsync();
        HtmlForm next = HtmlForm.Find(codes, "/mfa/continue");
        HttpResponseMessage back = await browser.PostAsync(new Uri(new Uri(second.StartUrl), next.Action), next.ToContent());
        LoginResult stepped = await client.ProcessResponseAsync(back.Headers.Location!.AbsoluteUri, second);

        Assert.That(stepped.IsError, Is.False, $"{stepped.Error}: {stepped.ErrorDescription}");
        Assert.That(stepped.User.FindFirst("acr")?.Value, Is.EqualTo("urn:clavex:acr:mfa"));
        Assert.That(stepped.User.FindAll("amr").Select(c => c.Value), Is.EquivalentTo(new[] { "pwd", "otp", "mfa" }));
        Assert.That(stepped.User.FindFirst("sub")?.Value, Is.EqualTo(org.AliceSubject));
    }

    /// <summary>A client_secret_post client registered for OidcClient, which validates ID tokens against the JWKS.</summary>
    private async Task<OidcClient> NewClientAsync(TestOrganization org, string scope)
    {
        RegisteredClient registered = await InteropClients.RegisterAsync(Server, org, "oidcclient", ClavexTestServer.FreePort(), TokenEndpointAuthMethod.ClientSecretPost, "/callback");
        return new OidcClient(new OidcClientOptions
        {
            Authority = org.Issuer,
            ClientId = registered.ClientId,
            ClientSecret = registered.Secret,
            RedirectUri = registered.RedirectUri,
            Scope = scope,
            IdentityTokenValidator = new JwksIdentityTokenValidator(),
        });
    }

    private async Task<string> RotateAsync(TestOrganization org, string body)
    {
        using HttpClient admin = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/signing-keys/rotate")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClavexTestServer.AdminToken);
        HttpResponseMessage response = await admin.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        using JsonDocument key = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return key.RootElement.GetProperty("kid").GetString()!;
    }

    /// <summary>The system browser's part: the authorization URL, Clavex's login form, the redirect to the app.</summary>
    private static async Task<Uri> BrowseAsync(Uri startUrl, TestOrganization org)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        HttpResponseMessage page = await browser.GetAsync(startUrl);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), await page.Content.ReadAsStringAsync());
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
        HttpResponseMessage result = await browser.PostAsync(
            new Uri(startUrl, login.Action), login.With("username", "alice").With("password", org.AlicePassword).ToContent());
        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await result.Content.ReadAsStringAsync());
        return result.Headers.Location!;
    }
}
