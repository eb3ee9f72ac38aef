using System.Security.Cryptography;
using System.Text.Json;
using Clavex.Core;
using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Token;
using Clavex.Core.UserInfo;
using Clavex.Core.Users;
using Clavex.Server.Storage;
using Clavex.Tests.Support;

namespace Clavex.Tests.Storage;

/// <summary>The protocol core on the PostgreSQL stores: the sign-in scenario of the in-memory tests, end to end.</summary>
public sealed class PgSignInFlowTests
{
    private const string Callback = "https://jira.acme.eu/plugins/servlet/oidc/callback";

    private readonly TestClock _clock = new();
    private readonly byte[] _masterKey = RandomNumberGenerator.GetBytes(32);
    private Organization _organization = null!;
    private OpenIdProvider _provider = null!;
    private string _secret = null!;

    [SetUp]
    public async Task CreateOrganization()
    {
        long id = await StorageFixture.CreateOrganizationAsync();
        _organization = new Organization(id, "acme", "https://id.acme.eu/acme");
        var clients = new PgClientStore(StorageFixture.DataSource);
        var users = new PgUserStore(StorageFixture.DataSource);
        var keys = new PgSigningKeyStore(StorageFixture.DataSource, new KeyEncryption(_masterKey), _clock);
        _secret = ClientSecrets.Generate();
        await clients.CreateAsync(
            new Client
            {
                OrganizationId = id,
                ClientId = "atlassian",
                RedirectUris = [Callback],
                GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
                Scopes = ["openid", "profile", "groups", "offline_access"],
                Secrets = [new ClientSecret("s1", ClientSecrets.Hash(_secret), _clock.GetUtcNow())],
            },
            CancellationToken.None);
        await users.CreateAsync(
            new User { OrganizationId = id, Subject = "u_alice", Username = "alice", Groups = ["jira-software-users", "confluence-users"] }, "$hash", CancellationToken.None);
        await keys.EnsureKeyAsync(id);
        _provider = new OpenIdProvider(
            new ProviderStores(
                clients,
                users,
                new PgAuthorizationCodeStore(StorageFixture.DataSource),
                new PgGrantStore(StorageFixture.DataSource),
                keys,
                new PgReplayCache(StorageFixture.DataSource, _clock)),
            _clock);
    }

    [Test]
    public async Task Alice_signs_in_and_a_replayed_code_revokes_what_it_issued()
    {
        string code = await AuthorizeAsync("openid profile groups");

        TokenResult tokens = await TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Callback));
        UserInfoResult userInfo = await _provider.UserInfo.HandleAsync(_organization, tokens.Response!.AccessToken, CancellationToken.None);
        TokenResult replay = await TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Callback));
        UserInfoResult afterReplay = await _provider.UserInfo.HandleAsync(_organization, tokens.Response.AccessToken, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ValidateWithKeysFromTheDatabaseAsync(tokens.Response.IdToken!), Is.EqualTo(JwtValidationOutcome.Valid));
            Assert.That(tokens.Response.RefreshToken, Is.Null);
            Assert.That(JsonDocument.Parse(userInfo.Json!).RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetString()),
                Is.EqualTo(new[] { "confluence-users", "jira-software-users" }));
            Assert.That(replay.Error!.Description, Is.EqualTo("The authorization code has already been used."));
            Assert.That(afterReplay.StatusCode, Is.EqualTo(401));
        }
    }

    [Test]
    public async Task A_refresh_token_rotates_and_its_reuse_revokes_the_family()
    {
        string code = await AuthorizeAsync("openid offline_access");
        TokenResponse first = (await TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Callback))).Response!;
        _clock.Advance(TimeSpan.FromHours(1));

        TokenResult second = await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", first.RefreshToken!));
        TokenResult reuse = await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", first.RefreshToken!));
        TokenResult afterReuse = await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", second.Response!.RefreshToken!));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.Response.RefreshToken, Is.Not.EqualTo(first.RefreshToken));
            Assert.That(reuse.Error!.Description, Is.EqualTo("The refresh token was already used; the grant has been revoked."));
            Assert.That(afterReuse.Error!.Description, Is.EqualTo("The refresh token has been revoked."));
        }
    }

    private async Task<string> AuthorizeAsync(string scope)
    {
        AuthorizationValidation validation = await _provider.Authorization.ValidateAsync(
            _organization,
            ProtocolParameters.From(("response_type", "code"), ("client_id", "atlassian"), ("redirect_uri", Callback), ("scope", scope), ("state", "xyz")),
            CancellationToken.None);
        var session = new AuthenticationSession
        {
            OrganizationId = _organization.Id,
            Id = "sid-1",
            Subject = "u_alice",
            AuthTime = _clock.GetUtcNow(),
            Amr = ["pwd"],
            ExpiresAt = _clock.GetUtcNow().AddHours(8),
        };
        AuthorizationResponse response = await _provider.CodeIssuer.IssueAsync(validation.Request!, session, CancellationToken.None);
        return response.Parameters[0].Value;
    }

    private Task<TokenResult> TokenAsync(params (string, string)[] form) =>
        _provider.Token.HandleAsync(_organization, ProtocolParameters.From(form), new BasicCredentials("atlassian", _secret), CancellationToken.None);

    // Another instance's store: the keys come from the database, not from the cache that signed.
    private async Task<JwtValidationOutcome> ValidateWithKeysFromTheDatabaseAsync(string idToken)
    {
        var store = new PgSigningKeyStore(StorageFixture.DataSource, new KeyEncryption(_masterKey), _clock);
        JwsKeySet keys = (await store.GetAsync(_organization.Id, CancellationToken.None)).Verification;
        using JwtValidationResult result = JwtValidator.Validate(idToken, new JwtValidationParameters
        {
            Keys = keys,
            AllowedAlgorithms = [JwsAlgorithm.RS256],
            Issuer = _organization.Issuer,
            Audiences = ["atlassian"],
            RequiredType = JwtType.Jwt,
            TimeProvider = _clock,
        });
        return result.Outcome;
    }
}
