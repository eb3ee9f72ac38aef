using Clavex.Core.Clients;
using Clavex.Core.Pkce;
using Clavex.Core.Protocol;
using Clavex.Core.Token;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;
using static Clavex.Tests.Token.TokenTestSupport;

namespace Clavex.Tests.Token;

/// <summary>RFC 6749 §4.1.3, OIDC Core §3.1.3, RFC 7636 §4.5–4.6, RFC 9700 §2.1.1 and §4.5.3.</summary>
public class AuthorizationCodeGrantTests
{
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    private ProtocolFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new ProtocolFixture();

    private static void AssertError(TokenResult result, OAuthErrorCode code, string? description = null)
    {
        Assert.That(result.Response, Is.Null);
        Assert.That(result.Error, Is.Not.Null);
        Assert.That(result.Error!.Code, Is.EqualTo(code), result.Error.ToString);
        if (description is not null)
        {
            Assert.That(result.Error.Description, Is.EqualTo(description));
        }
    }

    [Test]
    public async Task Jiras_code_is_exchanged_for_an_id_token_carrying_everything_provisioning_reads()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());

        TokenResult result = await _fixture.RedeemAsync(code);

        TokenResponse response = result.Response!;
        Assert.That(response.TokenType, Is.EqualTo("Bearer"));
        Assert.That(response.ExpiresIn, Is.EqualTo(600));
        Assert.That(response.Scope, Is.EqualTo("openid profile email groups"));
        Assert.That(response.RefreshToken, Is.Null, "no offline_access, no always-refresh: no refresh token (OIDC Core §11)");
        Assert.That(ValidateIdToken(response.IdToken!, _fixture), Is.EqualTo(Core.Jose.JwtValidationOutcome.Valid));

        var idToken = Payload(response.IdToken!);
        long now = _fixture.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.That(idToken.GetProperty("iss").GetString(), Is.EqualTo(Issuer));
        Assert.That(idToken.GetProperty("sub").GetString(), Is.EqualTo(AliceSubject));
        Assert.That(idToken.GetProperty("aud").GetString(), Is.EqualTo("atlassian"));
        Assert.That(idToken.GetProperty("azp").GetString(), Is.EqualTo("atlassian"));
        Assert.That(idToken.GetProperty("iat").GetInt64(), Is.EqualTo(now));
        Assert.That(idToken.GetProperty("exp").GetInt64(), Is.EqualTo(now + 300));
        Assert.That(idToken.GetProperty("auth_time").GetInt64(), Is.EqualTo(now));
        Assert.That(idToken.GetProperty("nonce").GetString(), Is.EqualTo("n-0S6_WzA2Mj"));
        Assert.That(idToken.GetProperty("sid").GetString(), Is.EqualTo("sid-" + AliceSubject));
        Assert.That(idToken.GetProperty("amr")[0].GetString(), Is.EqualTo("pwd"));
        Assert.That(idToken.GetProperty("at_hash").GetString(), Has.Length.EqualTo(22));
        Assert.That(idToken.GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));
        Assert.That(idToken.GetProperty("email").GetString(), Is.EqualTo("alice@acme.eu"));
        Assert.That(idToken.GetProperty("email_verified").GetBoolean(), Is.True);
        Assert.That(idToken.GetProperty("name").GetString(), Is.EqualTo("Alice Andersson"));
        Assert.That(idToken.GetProperty("given_name").GetString(), Is.EqualTo("Alice"));
        Assert.That(idToken.GetProperty("family_name").GetString(), Is.EqualTo("Andersson"));
        Assert.That(
            idToken.GetProperty("groups").EnumerateArray().Select(g => g.GetString()),
            Is.EqualTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));
    }

    [Test]
    public async Task The_access_token_is_an_rfc9068_jwt_for_the_issuer()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());

        TokenResponse response = (await _fixture.RedeemAsync(code)).Response!;

        Assert.That(Header(response.AccessToken).GetProperty("typ").GetString(), Is.EqualTo("at+jwt"));
        var claims = Payload(response.AccessToken);
        Assert.That(claims.GetProperty("iss").GetString(), Is.EqualTo(Issuer));
        Assert.That(claims.GetProperty("aud").GetString(), Is.EqualTo(Issuer));
        Assert.That(claims.GetProperty("sub").GetString(), Is.EqualTo(AliceSubject));
        Assert.That(claims.GetProperty("client_id").GetString(), Is.EqualTo("atlassian"));
        Assert.That(claims.GetProperty("scope").GetString(), Is.EqualTo("openid profile email groups"));
        Assert.That(claims.GetProperty("jti").GetString(), Has.Length.EqualTo(22));
        Assert.That(claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64(), Is.EqualTo(600));
    }

    [Test]
    public async Task Atlassians_basic_authentication_works_for_a_client_registered_with_client_secret_post()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());

        TokenResult result = await _fixture.TokenAsync(
            new BasicCredentials("atlassian", _fixture.AtlassianSecret),
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback));

        Assert.That(result.Response, Is.Not.Null, () => result.Error?.ToString() ?? string.Empty);
    }

    [Test]
    public async Task A_second_redemption_is_invalid_grant_and_revokes_the_first_tokens()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "scope"), ("scope", "openid offline_access")]);
        TokenResponse first = (await _fixture.RedeemAsync(code)).Response!;

        TokenResult replay = await _fixture.RedeemAsync(code);

        AssertError(replay, OAuthErrorCode.InvalidGrant, "The authorization code has already been used.");
        TokenResult refresh = await _fixture.TokenAsync(
            ("grant_type", "refresh_token"), ("refresh_token", first.RefreshToken!), ("client_id", "atlassian"), ("client_secret", _fixture.AtlassianSecret));
        AssertError(refresh, OAuthErrorCode.InvalidGrant, "The refresh token has been revoked.");
        var userInfo = await _fixture.UserInfo.HandleAsync(_fixture.Organization, first.AccessToken, CancellationToken.None);
        Assert.That(userInfo.StatusCode, Is.EqualTo(401));
        Assert.That(userInfo.Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken));
    }

    [Test]
    public async Task An_unknown_code_is_invalid_grant()
    {
        AssertError(await _fixture.RedeemAsync("not-a-code"), OAuthErrorCode.InvalidGrant, "The authorization code is invalid.");
    }

    [Test]
    public async Task An_expired_code_is_invalid_grant()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());
        _fixture.Clock.Advance(TimeSpan.FromSeconds(60));

        AssertError(await _fixture.RedeemAsync(code), OAuthErrorCode.InvalidGrant, "The authorization code has expired.");
    }

    [Test]
    public async Task A_code_is_still_good_one_second_before_it_expires()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());
        _fixture.Clock.Advance(TimeSpan.FromSeconds(59));

        Assert.That((await _fixture.RedeemAsync(code)).Response, Is.Not.Null);
    }

    [Test]
    public async Task A_different_redirect_uri_is_invalid_grant()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());

        AssertError(await _fixture.RedeemAsync(code, ConfluenceCallback), OAuthErrorCode.InvalidGrant, "redirect_uri does not match the one of the authorization request.");
    }

    [Test]
    public async Task A_missing_redirect_uri_is_invalid_grant()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());

        TokenResult result = await _fixture.TokenAsync(
            ("grant_type", "authorization_code"), ("code", code), ("client_id", "atlassian"), ("client_secret", _fixture.AtlassianSecret));

        AssertError(result, OAuthErrorCode.InvalidGrant, "redirect_uri is missing; it must repeat the one of the authorization request.");
    }

    [Test]
    public async Task A_code_issued_to_another_client_is_invalid_grant()
    {
        string otherSecret = ClientSecrets.Generate();
        _fixture.Clients.Add(new Client
        {
            OrganizationId = 1, ClientId = "other", RedirectUris = [JiraCallback],
            Secrets = [new ClientSecret("o1", ClientSecrets.Hash(otherSecret), _fixture.Clock.GetUtcNow())],
        });
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());

        TokenResult result = await _fixture.TokenAsync(
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback), ("client_id", "other"), ("client_secret", otherSecret));

        AssertError(result, OAuthErrorCode.InvalidGrant, "The authorization code was issued to another client.");
    }

    [Test]
    public async Task Pkce_verifier_matching_the_challenge_is_accepted()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest(), ("code_challenge", Challenge), ("code_challenge_method", "S256")]);

        Assert.That((await _fixture.RedeemAsync(code, JiraCallback, ("code_verifier", Verifier))).Response, Is.Not.Null);
    }

    [Test]
    public async Task A_challenge_without_a_verifier_is_invalid_grant_even_when_pkce_is_optional()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest(), ("code_challenge", Challenge), ("code_challenge_method", "S256")]);

        AssertError(await _fixture.RedeemAsync(code), OAuthErrorCode.InvalidGrant, "code_verifier is missing; the authorization request had a code_challenge.");
    }

    [Test]
    public async Task A_wrong_verifier_is_invalid_grant()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest(), ("code_challenge", Challenge), ("code_challenge_method", "S256")]);

        AssertError(
            await _fixture.RedeemAsync(code, JiraCallback, ("code_verifier", new string('x', 43))),
            OAuthErrorCode.InvalidGrant,
            "code_verifier does not match the code_challenge (PKCE).");
    }

    [Test]
    public async Task A_verifier_for_a_code_issued_without_challenge_is_refused_as_a_downgrade()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());

        AssertError(
            await _fixture.RedeemAsync(code, JiraCallback, ("code_verifier", Verifier)),
            OAuthErrorCode.InvalidGrant,
            "code_verifier was sent, but the authorization request had no code_challenge.");
    }

    [Test]
    public async Task A_failed_pkce_check_burns_the_code()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest(), ("code_challenge", Challenge), ("code_challenge_method", "S256")]);
        await _fixture.RedeemAsync(code, JiraCallback, ("code_verifier", new string('x', 43)));

        AssertError(await _fixture.RedeemAsync(code, JiraCallback, ("code_verifier", Verifier)), OAuthErrorCode.InvalidGrant);
    }

    [Test]
    public async Task A_disabled_user_gets_no_tokens()
    {
        string code = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());
        var alice = _fixture.Alice();
        _fixture.Users.Replace(new Core.Users.User { OrganizationId = 1, Subject = alice.Subject, Username = alice.Username, Enabled = false });

        AssertError(await _fixture.RedeemAsync(code), OAuthErrorCode.InvalidGrant, "The user of this authorization code is no longer active.");
    }

    [Test]
    public async Task Offline_access_yields_a_refresh_token()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "scope"), ("scope", "openid profile offline_access")]);

        TokenResponse response = (await _fixture.RedeemAsync(code)).Response!;

        Assert.That(response.RefreshToken, Has.Length.EqualTo(43));
        Assert.That(response.Scope, Is.EqualTo("openid profile offline_access"));
    }

    [Test]
    public async Task A_plain_oauth_request_without_openid_gets_no_id_token()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "scope"), ("scope", "profile")]);

        TokenResponse response = (await _fixture.RedeemAsync(code)).Response!;

        Assert.That(response.IdToken, Is.Null);
        Assert.That(response.AccessToken, Is.Not.Empty);
    }

    [Test]
    public async Task Missing_code_is_invalid_request()
    {
        TokenResult result = await _fixture.TokenAsync(
            ("grant_type", "authorization_code"), ("redirect_uri", JiraCallback), ("client_id", "atlassian"), ("client_secret", _fixture.AtlassianSecret));

        AssertError(result, OAuthErrorCode.InvalidRequest, "code is missing.");
    }

    [Test]
    public async Task The_same_user_has_the_same_subject_in_every_token()
    {
        string first = await _fixture.AuthorizeAliceAsync(JiraAuthorizeRequest());
        string second = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "redirect_uri"), ("redirect_uri", ConfluenceCallback)]);

        string sub1 = Payload((await _fixture.RedeemAsync(first)).Response!.IdToken!).GetProperty("sub").GetString()!;
        string sub2 = Payload((await _fixture.RedeemAsync(second, ConfluenceCallback)).Response!.IdToken!).GetProperty("sub").GetString()!;

        Assert.That(sub1, Is.EqualTo(sub2).And.EqualTo(AliceSubject).And.Not.EqualTo("alice"));
    }

    [Test]
    public void Pkce_helper_reproduces_the_challenge_used_here()
    {
        Assert.That(CodeChallenge.CreateS256(Verifier), Is.EqualTo(Challenge));
    }
}
