using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Core.Token;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;
using static Clavex.Tests.Token.TokenTestSupport;

namespace Clavex.Tests.Token;

/// <summary>RFC 6749 §3.2, §4.4, §5.2 and §6; RFC 9700 §4.14.2; OIDC Core §12.</summary>
public class TokenEndpointTests
{
    private ProtocolFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new ProtocolFixture();

    private (string, string)[] Credentials => [("client_id", "atlassian"), ("client_secret", _fixture.AtlassianSecret)];

    private static void AssertError(TokenResult result, OAuthErrorCode code, string? description = null)
    {
        Assert.That(result.Response, Is.Null);
        Assert.That(result.Error?.Code, Is.EqualTo(code), () => result.Error?.ToString() ?? "no error");
        if (description is not null)
        {
            Assert.That(result.Error!.Description, Is.EqualTo(description));
        }
    }

    private async Task<TokenResponse> SignInWithOfflineAccessAsync()
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "scope"), ("scope", "openid profile email groups offline_access")]);
        return (await _fixture.RedeemAsync(code)).Response!;
    }

    private Task<TokenResult> RefreshAsync(string refreshToken, params (string, string)[] extra) =>
        _fixture.TokenAsync([("grant_type", "refresh_token"), ("refresh_token", refreshToken), .. Credentials, .. extra]);

    [Test]
    public async Task Missing_grant_type_is_invalid_request()
    {
        AssertError(await _fixture.TokenAsync(Credentials), OAuthErrorCode.InvalidRequest, "grant_type is missing.");
    }

    [Test]
    public async Task An_unknown_grant_type_is_unsupported_grant_type()
    {
        AssertError(await _fixture.TokenAsync([("grant_type", "password"), .. Credentials]), OAuthErrorCode.UnsupportedGrantType, "grant_type 'password' is not supported.");
    }

    [Test]
    public async Task A_grant_the_client_is_not_registered_for_is_unauthorized_client()
    {
        AssertError(
            await _fixture.TokenAsync([("grant_type", "client_credentials"), .. Credentials]),
            OAuthErrorCode.UnauthorizedClient,
            "Client 'atlassian' is not registered for the client_credentials grant.");
    }

    [Test]
    public async Task A_repeated_parameter_is_invalid_request()
    {
        AssertError(
            await _fixture.TokenAsync([("grant_type", "authorization_code"), ("code", "a"), ("code", "b"), .. Credentials]),
            OAuthErrorCode.InvalidRequest,
            "The parameter 'code' was given more than once.");
    }

    [Test]
    public async Task A_wrong_secret_over_basic_is_invalid_client_with_the_basic_flag()
    {
        TokenResult result = await _fixture.TokenAsync(new BasicCredentials("atlassian", "cs_wrong"), ("grant_type", "authorization_code"), ("code", "x"));

        AssertError(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.BasicAttempted, Is.True);
    }

    [Test]
    public async Task A_wrong_secret_in_the_body_is_invalid_client_without_the_basic_flag()
    {
        TokenResult result = await _fixture.TokenAsync(("grant_type", "authorization_code"), ("code", "x"), ("client_id", "atlassian"), ("client_secret", "cs_wrong"));

        AssertError(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.BasicAttempted, Is.False);
    }

    [Test]
    public async Task A_refresh_rotates_the_token_and_keeps_sub_and_auth_time()
    {
        TokenResponse first = await SignInWithOfflineAccessAsync();
        long authTime = Payload(first.IdToken!).GetProperty("auth_time").GetInt64();
        _fixture.Clock.Advance(TimeSpan.FromMinutes(30));

        TokenResponse refreshed = (await RefreshAsync(first.RefreshToken!)).Response!;

        Assert.That(refreshed.RefreshToken, Is.Not.EqualTo(first.RefreshToken));
        var idToken = Payload(refreshed.IdToken!);
        Assert.That(idToken.GetProperty("sub").GetString(), Is.EqualTo(AliceSubject));
        Assert.That(idToken.GetProperty("auth_time").GetInt64(), Is.EqualTo(authTime));
        Assert.That(idToken.GetProperty("iat").GetInt64(), Is.EqualTo(_fixture.Clock.GetUtcNow().ToUnixTimeSeconds()));
        Assert.That(idToken.TryGetProperty("nonce", out _), Is.False);
        Assert.That(ValidateIdToken(refreshed.IdToken!, _fixture), Is.EqualTo(Core.Jose.JwtValidationOutcome.Valid));
    }

    [Test]
    public async Task Reusing_a_rotated_refresh_token_revokes_the_whole_family()
    {
        TokenResponse first = await SignInWithOfflineAccessAsync();
        TokenResponse second = (await RefreshAsync(first.RefreshToken!)).Response!;

        AssertError(await RefreshAsync(first.RefreshToken!), OAuthErrorCode.InvalidGrant, "The refresh token was already used; the grant has been revoked.");
        AssertError(await RefreshAsync(second.RefreshToken!), OAuthErrorCode.InvalidGrant, "The refresh token has been revoked.");
    }

    [Test]
    public async Task A_refresh_token_presented_by_another_client_is_invalid_grant()
    {
        TokenResponse first = await SignInWithOfflineAccessAsync();
        string otherSecret = ClientSecrets.Generate();
        _fixture.Clients.Add(new Client
        {
            OrganizationId = 1, ClientId = "other", GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Secrets = [new ClientSecret("o1", ClientSecrets.Hash(otherSecret), _fixture.Clock.GetUtcNow())],
        });

        TokenResult result = await _fixture.TokenAsync(
            ("grant_type", "refresh_token"), ("refresh_token", first.RefreshToken!), ("client_id", "other"), ("client_secret", otherSecret));

        AssertError(result, OAuthErrorCode.InvalidGrant, "The refresh token was issued to another client.");
        Assert.That((await RefreshAsync(first.RefreshToken!)).Response, Is.Not.Null, "the rightful client's token is untouched");
    }

    [Test]
    public async Task A_refresh_token_unused_for_the_sliding_lifetime_expires()
    {
        TokenResponse first = await SignInWithOfflineAccessAsync();
        _fixture.Clock.Advance(TimeSpan.FromHours(8));

        AssertError(await RefreshAsync(first.RefreshToken!), OAuthErrorCode.InvalidGrant, "The refresh token has expired.");
    }

    [Test]
    public async Task Refreshing_within_the_sliding_window_extends_it_until_the_absolute_lifetime()
    {
        string token = (await SignInWithOfflineAccessAsync()).RefreshToken!;
        for (int i = 0; i < 90; i++)
        {
            _fixture.Clock.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMinutes(1));
            TokenResult result = await RefreshAsync(token);
            Assert.That(result.Response, Is.Not.Null, () => $"refresh {i}: {result.Error}");
            token = result.Response!.RefreshToken!;
        }

        // 90 × 7 h 59 min = 718.5 h: the last token's sliding window would reach 726.5 h, but the grant ends at
        // 720 h (30 days), so two hours later it is expired although it was used recently.
        _fixture.Clock.Advance(TimeSpan.FromHours(2));
        AssertError(await RefreshAsync(token), OAuthErrorCode.InvalidGrant, "The refresh token has expired.");
    }

    [Test]
    public async Task A_refresh_may_narrow_the_scope()
    {
        TokenResponse first = await SignInWithOfflineAccessAsync();

        TokenResponse narrowed = (await RefreshAsync(first.RefreshToken!, ("scope", "openid email"))).Response!;

        Assert.That(narrowed.Scope, Is.EqualTo("openid email"));
        Assert.That(Payload(narrowed.IdToken!).TryGetProperty("groups", out _), Is.False);
        TokenResponse again = (await RefreshAsync(narrowed.RefreshToken!)).Response!;
        Assert.That(again.Scope, Is.EqualTo("openid profile email groups offline_access"), "the grant keeps its original scope");
    }

    [Test]
    public async Task A_refresh_may_not_widen_the_scope()
    {
        TokenResponse first = await SignInWithOfflineAccessAsync();

        AssertError(await RefreshAsync(first.RefreshToken!, ("scope", "openid phone")), OAuthErrorCode.InvalidScope, "The scope 'phone' was not part of the original grant.");
    }

    [Test]
    public async Task A_refreshed_id_token_shows_the_users_current_groups()
    {
        TokenResponse first = await SignInWithOfflineAccessAsync();
        var alice = _fixture.Alice();
        _fixture.Users.Replace(new Core.Users.User
        {
            OrganizationId = 1, Subject = alice.Subject, Username = alice.Username, Groups = ["confluence-users"],
        });

        TokenResponse refreshed = (await RefreshAsync(first.RefreshToken!)).Response!;

        Assert.That(Payload(refreshed.IdToken!).GetProperty("groups").EnumerateArray().Select(g => g.GetString()), Is.EqualTo(new[] { "confluence-users" }));
    }

    [Test]
    public async Task An_unknown_refresh_token_is_invalid_grant()
    {
        AssertError(await RefreshAsync("no-such-token"), OAuthErrorCode.InvalidGrant, "The refresh token is invalid.");
    }

    [Test]
    public async Task Client_credentials_issue_an_access_token_only()
    {
        string secret = ClientSecrets.Generate();
        _fixture.Clients.Add(new Client
        {
            OrganizationId = 1, ClientId = "backup-job", GrantTypes = [GrantTypes.ClientCredentials], Scopes = ["openid", "audit.read"],
            Secrets = [new ClientSecret("b1", ClientSecrets.Hash(secret), _fixture.Clock.GetUtcNow())],
        });

        TokenResult result = await _fixture.TokenAsync(("grant_type", "client_credentials"), ("client_id", "backup-job"), ("client_secret", secret));

        TokenResponse response = result.Response!;
        Assert.That(response.IdToken, Is.Null);
        Assert.That(response.RefreshToken, Is.Null);
        Assert.That(response.Scope, Is.EqualTo("audit.read"));
        Assert.That(Payload(response.AccessToken).GetProperty("sub").GetString(), Is.EqualTo("backup-job"));
        Assert.That(Payload(response.AccessToken).GetProperty("client_id").GetString(), Is.EqualTo("backup-job"));
    }

    [Test]
    public async Task Client_credentials_refuse_scopes_outside_the_clients_list()
    {
        string secret = ClientSecrets.Generate();
        _fixture.Clients.Add(new Client
        {
            OrganizationId = 1, ClientId = "backup-job", GrantTypes = [GrantTypes.ClientCredentials], Scopes = ["audit.read"],
            Secrets = [new ClientSecret("b1", ClientSecrets.Hash(secret), _fixture.Clock.GetUtcNow())],
        });

        TokenResult result = await _fixture.TokenAsync(("grant_type", "client_credentials"), ("scope", "audit.write"), ("client_id", "backup-job"), ("client_secret", secret));

        AssertError(result, OAuthErrorCode.InvalidScope);
    }
}
