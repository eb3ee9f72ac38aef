using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Core.Token;
using Clavex.Core.UserInfo;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;

namespace Clavex.Tests.UserInfo;

/// <summary>OIDC Core §5.3, RFC 6750 §3.1.</summary>
public class UserInfoEndpointTests
{
    private ProtocolFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new ProtocolFixture();

    private async Task<TokenResponse> SignInAsync(string scope = "openid profile email groups")
    {
        string code = await _fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "scope"), ("scope", scope)]);
        return (await _fixture.RedeemAsync(code)).Response!;
    }

    private Task<UserInfoResult> UserInfoAsync(string? token) => _fixture.UserInfo.HandleAsync(_fixture.Organization, token, CancellationToken.None);

    [Test]
    public async Task Userinfo_returns_the_same_claims_as_the_id_token()
    {
        TokenResponse tokens = await SignInAsync();

        UserInfoResult result = await UserInfoAsync(tokens.AccessToken);

        Assert.That(result.StatusCode, Is.EqualTo(200));
        var claims = JsonDocument.Parse(result.Json!).RootElement;
        Assert.That(claims.GetProperty("sub").GetString(), Is.EqualTo(AliceSubject));
        Assert.That(claims.GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));
        Assert.That(claims.GetProperty("email").GetString(), Is.EqualTo("alice@acme.eu"));
        Assert.That(claims.GetProperty("given_name").GetString(), Is.EqualTo("Alice"));
        Assert.That(claims.GetProperty("family_name").GetString(), Is.EqualTo("Andersson"));
        Assert.That(claims.GetProperty("groups").GetArrayLength(), Is.EqualTo(3));
        var idToken = Token.TokenTestSupport.Payload(tokens.IdToken!);
        foreach (string name in new[] { "sub", "preferred_username", "email", "name", "given_name", "family_name" })
        {
            Assert.That(claims.GetProperty(name).GetString(), Is.EqualTo(idToken.GetProperty(name).GetString()), name);
        }
    }

    [Test]
    public async Task Userinfo_returns_only_the_claims_of_the_tokens_scopes()
    {
        UserInfoResult result = await UserInfoAsync((await SignInAsync("openid email")).AccessToken);

        var names = JsonDocument.Parse(result.Json!).RootElement.EnumerateObject().Select(p => p.Name);
        Assert.That(names, Is.EqualTo(new[] { "sub", "email", "email_verified" }));
    }

    [Test]
    public async Task No_token_is_401_without_an_error_code()
    {
        UserInfoResult result = await UserInfoAsync(null);

        Assert.That(result.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error, Is.Null);
    }

    [TestCase("garbage")]
    [TestCase("a.b.c")]
    public async Task A_malformed_token_is_invalid_token(string token)
    {
        UserInfoResult result = await UserInfoAsync(token);

        Assert.That(result.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken));
    }

    [Test]
    public async Task An_expired_access_token_is_invalid_token()
    {
        TokenResponse tokens = await SignInAsync();
        _fixture.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(5));

        Assert.That((await UserInfoAsync(tokens.AccessToken)).Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken));
    }

    [Test]
    public async Task An_id_token_is_not_an_access_token()
    {
        TokenResponse tokens = await SignInAsync();

        Assert.That((await UserInfoAsync(tokens.IdToken)).Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken));
    }

    [Test]
    public async Task A_token_without_openid_scope_is_insufficient_scope()
    {
        TokenResponse tokens = await SignInAsync("profile");

        UserInfoResult result = await UserInfoAsync(tokens.AccessToken);

        Assert.That(result.StatusCode, Is.EqualTo(403));
        Assert.That(result.Error!.Code, Is.EqualTo(OAuthErrorCode.InsufficientScope));
    }

    [Test]
    public async Task A_disabled_user_is_refused_at_once()
    {
        TokenResponse tokens = await SignInAsync();
        _fixture.Users.Replace(new Core.Users.User { OrganizationId = 1, Subject = AliceSubject, Username = "alice", Enabled = false });

        Assert.That((await UserInfoAsync(tokens.AccessToken)).Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken));
    }

    [Test]
    public async Task A_disabled_client_is_refused_at_once()
    {
        TokenResponse tokens = await SignInAsync();
        _fixture.Clients.Replace(new Client { OrganizationId = 1, ClientId = "atlassian", Enabled = false });

        Assert.That((await UserInfoAsync(tokens.AccessToken)).Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken));
    }

    [Test]
    public async Task A_token_of_another_organisation_is_invalid_token()
    {
        TokenResponse tokens = await SignInAsync();
        var globex = new Organization(2, "globex", "https://id.acme.eu/globex");
        _fixture.Keys.Set(2, await _fixture.Keys.GetAsync(1, CancellationToken.None));

        UserInfoResult result = await _fixture.UserInfo.HandleAsync(globex, tokens.AccessToken, CancellationToken.None);

        Assert.That(result.Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken), "the issuer differs even when the key is shared");
    }
}
