using System.Net;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Pkce;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, stolen and injected codes and tokens: PKCE downgrades, a code redeemed by the wrong client or with the
/// wrong redirect URI, a replayed code and a reused refresh token. Each refusal is <c>invalid_grant</c> and burns what
/// was presented, so the attacker's second try and the victim's first fail alike.
/// </summary>
public class CodeAndTokenReplayTests : AdversarialTestBase
{
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string OtherVerifier = "Xq3Fv0mZbLkR2yH8sW5nT1pC7dJ4gA6eU9iO0rK2lMn";

    [Test]
    public async Task Discovery_offers_only_the_S256_challenge_method()
    {
        // RFC 9700 §2.1.1: "plain" SHOULD NOT be used; RFC 7636 §4.2.
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        JsonElement discovery = JsonDocument.Parse(await client.GetStringAsync($"/{org.Slug}/.well-known/openid-configuration")).RootElement;

        Assert.That(discovery.GetProperty("code_challenge_methods_supported").GetRawText(), Is.EqualTo("""["S256"]"""));
    }

    [Test]
    public async Task A_code_issued_with_a_challenge_is_refused_without_a_verifier_and_burned()
    {
        // RFC 9700 §2.1.1 and §4.8.2 (PKCE downgrade): a challenge at authorize binds the code to the verifier.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string code = await CodeAsync(org, ("code_challenge", CodeChallenge.CreateS256(Verifier)), ("code_challenge_method", "S256"));

        HttpResponseMessage stripped = await RedeemAsync(org, code);
        HttpResponseMessage victim = await RedeemAsync(org, code, ("code_verifier", Verifier));

        await AssertErrorAsync(stripped, HttpStatusCode.BadRequest, "invalid_grant", "code_verifier is missing; the authorization request had a code_challenge.");
        await AssertErrorAsync(victim, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has already been used.");
    }

    // RFC 7636 §4.3 (method defaults to plain), RFC 9700 §2.1.1 (use S256); the client does not allow plain.
    [TestCase("plain", "code_challenge_method 'plain' is not allowed for this client; use S256.")]
    [TestCase(null, "code_challenge_method 'plain' is not allowed for this client; use S256.")]
    [TestCase("s256", "code_challenge_method is not supported; use S256.")]
    [TestCase("S512", "code_challenge_method is not supported; use S256.")]
    public async Task A_challenge_method_other_than_S256_is_refused_at_authorize(string? method, string description)
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        var extra = new List<(string, string)> { ("code_challenge", Verifier) };
        if (method is not null)
        {
            extra.Add(("code_challenge_method", method));
        }

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: [.. extra]));

        // RFC 6749 §4.1.2.1: client and redirect URI are proven, so the error goes back to the client.
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(response.Headers.Location!.GetLeftPart(UriPartial.Path), Is.EqualTo(JiraCallback));
        Dictionary<string, string> query = Query(response.Headers.Location);
        Assert.That(query["error"], Is.EqualTo("invalid_request"));
        Assert.That(query["error_description"], Is.EqualTo(description));
        Assert.That(query["state"], Is.EqualTo(State));
        Assert.That(query.ContainsKey("code"), Is.False);
    }

    [Test]
    public async Task A_public_client_without_a_challenge_is_refused_at_authorize()
    {
        // RFC 9700 §2.1.1: public clients MUST use PKCE.
        TestOrganization org = await Server.SeedOrganizationAsync();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client { OrganizationId = org.Id, ClientId = "spa", TokenEndpointAuthMethod = TokenEndpointAuthMethod.None, RedirectUris = ["https://app.acme.eu/cb"] },
            CancellationToken.None);
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, "openid", ("client_id", "spa"), ("redirect_uri", "https://app.acme.eu/cb")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Dictionary<string, string> query = Query(response.Headers.Location!);
        Assert.That(query["error"], Is.EqualTo("invalid_request"));
        Assert.That(query["error_description"], Is.EqualTo("Client 'spa' must use PKCE: code_challenge is missing."));
    }

    [Test]
    public async Task A_verifier_for_a_code_issued_without_a_challenge_is_refused()
    {
        // RFC 9700 §2.1.1: "authorization servers MUST ... ensure that if there was no code_challenge in the
        // authorization request, a request to the token endpoint containing a code_verifier is rejected" (§4.8.2).
        TestOrganization org = await Server.SeedOrganizationAsync();
        string code = await CodeAsync(org);

        HttpResponseMessage response = await RedeemAsync(org, code, ("code_verifier", Verifier));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "code_verifier was sent, but the authorization request had no code_challenge.");
    }

    [Test]
    public async Task A_wrong_verifier_is_refused_and_burns_the_code()
    {
        // RFC 7636 §4.6: the verifier must hash to the challenge; RFC 9700 §4.5 (code injection with a stolen code).
        TestOrganization org = await Server.SeedOrganizationAsync();
        string code = await CodeAsync(org, ("code_challenge", CodeChallenge.CreateS256(Verifier)), ("code_challenge_method", "S256"));

        HttpResponseMessage attacker = await RedeemAsync(org, code, ("code_verifier", OtherVerifier));
        HttpResponseMessage victim = await RedeemAsync(org, code, ("code_verifier", Verifier));

        await AssertErrorAsync(attacker, HttpStatusCode.BadRequest, "invalid_grant", "code_verifier does not match the code_challenge (PKCE).");
        await AssertErrorAsync(victim, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has already been used.");
    }

    [Test]
    public async Task A_code_redeemed_by_another_client_is_refused_and_burned()
    {
        // RFC 6749 §4.1.3 ("ensure that the authorization code was issued to the authenticated confidential client"),
        // RFC 9700 §4.5 (authorization code injection). The other client registered the same callback.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string otherSecret = await RegisterIntruderAsync(org);
        string code = await CodeAsync(org);
        using HttpClient intruder = Server.CreateClient();

        HttpResponseMessage injected = await intruder.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback), ("client_id", "intruder"), ("client_secret", otherSecret)));
        HttpResponseMessage victim = await RedeemAsync(org, code);

        await AssertErrorAsync(injected, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code was issued to another client.");
        await AssertErrorAsync(victim, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has already been used.");
    }

    // RFC 6749 §4.1.3: redirect_uri "MUST be identical" to the authorization request's; both URIs are registered.
    [TestCase(ConfluenceCallback, "redirect_uri does not match the one of the authorization request.")]
    [TestCase(JiraCallback + "/", "redirect_uri does not match the one of the authorization request.")]
    [TestCase(null, "redirect_uri is missing; it must repeat the one of the authorization request.")]
    public async Task A_code_redeemed_with_another_redirect_uri_is_refused_and_burned(string? redirectUri, string description)
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        string code = await CodeAsync(org);
        using HttpClient jira = Server.CreateClient();
        var form = new List<(string, string)> { ("grant_type", "authorization_code"), ("code", code), ("client_id", "atlassian"), ("client_secret", org.ClientSecret) };
        if (redirectUri is not null)
        {
            form.Add(("redirect_uri", redirectUri));
        }

        HttpResponseMessage response = await jira.PostAsync($"/{org.Slug}/token", Form([.. form]));
        HttpResponseMessage victim = await RedeemAsync(org, code);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", description);
        await AssertErrorAsync(victim, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has already been used.");
    }

    [Test]
    public async Task A_replayed_code_revokes_the_access_and_refresh_tokens_of_the_first_redemption()
    {
        // RFC 6749 §4.1.2 ("SHOULD revoke (when possible) all tokens previously issued based on that authorization
        // code"), RFC 9700 §4.5.3.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string code = await CodeAsync(org, scope: OfflineScope);
        HttpResponseMessage first = await RedeemAsync(org, code);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        JsonElement tokens = await JsonAsync(first);
        string accessToken = tokens.GetProperty("access_token").GetString()!;
        string refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        Assert.That(JsonDocument.Parse(await IntrospectAsync(org, accessToken)).RootElement.GetProperty("active").GetBoolean(), Is.True);

        HttpResponseMessage replay = await RedeemAsync(org, code);

        await AssertErrorAsync(replay, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has already been used.");
        Assert.That(await IntrospectAsync(org, accessToken), Is.EqualTo("""{"active":false}"""));
        Assert.That(await IntrospectAsync(org, refreshToken), Is.EqualTo("""{"active":false}"""));
        AssertInvalidToken(await UserInfoAsync(org, accessToken), "The access token has been revoked.");
        await AssertErrorAsync(await RefreshAsync(org, refreshToken), HttpStatusCode.BadRequest, "invalid_grant", "The refresh token has been revoked.");
    }

    [Test]
    public async Task A_reused_refresh_token_revokes_the_whole_family_including_its_successor()
    {
        // RFC 9700 §4.14.2 (refresh token rotation: a reused token invalidates the active one), RFC 6749 §10.4.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string first = (await TokensAsync(org)).GetProperty("refresh_token").GetString()!;
        HttpResponseMessage rotated = await RefreshAsync(org, first);
        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        JsonElement legitimate = await JsonAsync(rotated);
        string second = legitimate.GetProperty("refresh_token").GetString()!;
        string accessToken = legitimate.GetProperty("access_token").GetString()!;

        HttpResponseMessage reuse = await RefreshAsync(org, first);

        await AssertErrorAsync(reuse, HttpStatusCode.BadRequest, "invalid_grant", "The refresh token was already used; the grant has been revoked.");
        await AssertErrorAsync(await RefreshAsync(org, second), HttpStatusCode.BadRequest, "invalid_grant", "The refresh token has been revoked.");
        Assert.That(await IntrospectAsync(org, second), Is.EqualTo("""{"active":false}"""));
        Assert.That(await IntrospectAsync(org, accessToken), Is.EqualTo("""{"active":false}"""));
        AssertInvalidToken(await UserInfoAsync(org, accessToken), "The access token has been revoked.");
    }

    [Test]
    public async Task A_refresh_token_presented_by_another_client_is_refused_and_stays_with_its_client()
    {
        // RFC 6749 §6 and §10.4: a refresh token is bound to the client it was issued to.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string otherSecret = await RegisterIntruderAsync(org);
        string refreshToken = (await TokensAsync(org)).GetProperty("refresh_token").GetString()!;
        using HttpClient intruder = Server.CreateClient();

        HttpResponseMessage stolen = await intruder.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", "intruder"), ("client_secret", otherSecret)));

        await AssertErrorAsync(stolen, HttpStatusCode.BadRequest, "invalid_grant", "The refresh token was issued to another client.");
        Assert.That((await RefreshAsync(org, refreshToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_code_redeemed_after_its_lifetime_is_refused_and_burned()
    {
        // RFC 6749 §4.1.2 ("A maximum authorization code lifetime of 10 minutes is RECOMMENDED"); Clavex gives 60 s, so a
        // code leaked through logs or referrers is useless soon after (RFC 9700 §4.2).
        TestOrganization org = await Server.SeedOrganizationAsync();
        string code = await CodeAsync(org);
        Server.Clock.Advance(TokenLifetimes.Default.AuthorizationCode);

        HttpResponseMessage late = await RedeemAsync(org, code);
        HttpResponseMessage again = await RedeemAsync(org, code);

        await AssertErrorAsync(late, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has expired.");
        await AssertErrorAsync(again, HttpStatusCode.BadRequest, "invalid_grant", "The authorization code has already been used.");
    }

    // RFC 9700 §2.1.2 (the implicit grant and other response types issuing tokens in the authorization response
    // SHOULD NOT be used), OIDC Core §3.2 and §3.3 (id_token, hybrid).
    [TestCase("token")]
    [TestCase("id_token")]
    [TestCase("id_token token")]
    [TestCase("code id_token")]
    [TestCase("code token")]
    public async Task A_response_type_that_puts_tokens_in_the_redirect_is_refused(string responseType)
    {
        TestOrganization org = await SharedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();

        HttpResponseMessage response = await browser.GetAsync(AuthorizeUrl(org, extra: ("response_type", responseType)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(response.Headers.Location!.Fragment, Is.Empty, "nothing in a fragment");
        Dictionary<string, string> query = Query(response.Headers.Location);
        Assert.That(query["error"], Is.EqualTo("unsupported_response_type"));
        Assert.That(query.Keys, Is.EquivalentTo(new[] { "error", "error_description", "state", "iss" }));
    }

    [Test]
    public async Task The_password_grant_is_unsupported()
    {
        // RFC 9700 §2.4: "The resource owner password credentials grant MUST NOT be used."
        TestOrganization org = await SharedOrganizationAsync();

        HttpResponseMessage response = await TokenAsync(org, ("grant_type", "password"), ("username", "alice"), ("password", org.AlicePassword), ("scope", "openid"));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "unsupported_grant_type", "grant_type 'password' is not supported.");
    }

    [Test]
    public async Task A_refresh_token_revoked_by_another_client_stays_valid()
    {
        // RFC 7009 §2.1: the server "verifies whether the token was issued to the client making the revocation
        // request"; otherwise a stolen token would let any client end another's grant.
        TestOrganization org = await Server.SeedOrganizationAsync();
        string otherSecret = await RegisterIntruderAsync(org);
        string refreshToken = (await TokensAsync(org)).GetProperty("refresh_token").GetString()!;
        using HttpClient intruder = Server.CreateClient();

        HttpResponseMessage revoke = await intruder.PostAsync($"/{org.Slug}/revoke", Form(("token", refreshToken), ("client_id", "intruder"), ("client_secret", otherSecret)));

        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK), "RFC 7009 §2.2: the same answer as for a revoked token");
        Assert.That((await RefreshAsync(org, refreshToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>Alice signs in with a new browser for an authorization request with <paramref name="extra"/>; the code.</summary>
    private async Task<string> CodeAsync(TestOrganization org, params (string Name, string Value)[] extra) => await CodeAsync(org, "openid profile email groups", extra);

    private async Task<string> CodeAsync(TestOrganization org, string scope, params (string Name, string Value)[] extra)
    {
        using HttpClient browser = Server.CreateClient();
        return Query(await SignInAsync(browser, org, AuthorizeUrl(org, scope, extra)))["code"];
    }

    /// <summary>A second confidential client of the organisation, registered with Jira's callback too; its secret.</summary>
    private async Task<string> RegisterIntruderAsync(TestOrganization org)
    {
        string secret = ClientSecrets.Generate();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client
            {
                OrganizationId = org.Id, ClientId = "intruder", RedirectUris = [JiraCallback], GrantTypes = ["authorization_code", "refresh_token"],
                Scopes = ["openid", "profile", "email", "groups"], Secrets = [new ClientSecret("s1", ClientSecrets.Hash(secret), Server.Clock.GetUtcNow())],
            },
            CancellationToken.None);
        return secret;
    }

    private Task<HttpResponseMessage> RedeemAsync(TestOrganization org, string code, params (string Name, string Value)[] extra) =>
        TokenAsync(org, [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback), .. extra]);
}
