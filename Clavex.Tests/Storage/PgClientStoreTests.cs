using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Server.Storage;
using Clavex.Tests.Jose;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgClientStoreTests
{
    private static readonly DateTimeOffset Now = TestClock.DefaultStart;

    private long _acme;
    private PgClientStore _store = null!;

    [SetUp]
    public async Task CreateOrganization()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        _store = new PgClientStore(StorageFixture.DataSource);
    }

    [Test]
    public async Task A_client_with_every_member_set_is_read_back_unchanged()
    {
        Client client = FullClient(_acme);
        await _store.CreateAsync(client, CancellationToken.None);

        Client found = (await FindAsync(_acme, "hoop"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.OrganizationId, Is.EqualTo(_acme));
            Assert.That(found.ClientId, Is.EqualTo("hoop"));
            Assert.That(found.ClientName, Is.EqualTo("Hoop proxy"));
            Assert.That(found.Enabled, Is.False);
            Assert.That(found.TokenEndpointAuthMethod, Is.EqualTo(TokenEndpointAuthMethod.PrivateKeyJwt));
            Assert.That(found.RedirectUris, Is.EqualTo(client.RedirectUris));
            Assert.That(found.PostLogoutRedirectUris, Is.EqualTo(client.PostLogoutRedirectUris));
            Assert.That(found.GrantTypes, Is.EqualTo(client.GrantTypes));
            Assert.That(found.Scopes, Is.EqualTo(client.Scopes));
            Assert.That(found.Secrets, Is.EqualTo(client.Secrets).Using<ClientSecret>(SameSecret));
            Assert.That(found.Jwks!.Keys.Select(k => (k.KeyId, k.Algorithm, k.HasPrivateKey)), Is.EqualTo(new[]
            {
                (TestKeys.PS256.KeyId, JwsAlgorithm.PS256, false),
                (TestKeys.ES256.KeyId, JwsAlgorithm.ES256, false),
            }));
            Assert.That(found.IsNative, Is.True);
            Assert.That(found.RequirePkce, Is.True);
            Assert.That(found.AllowPlainPkce, Is.True);
            Assert.That(found.RequireConsent, Is.True);
            Assert.That(found.AlwaysIssueRefreshToken, Is.True);
            Assert.That(found.Lifetimes, Is.EqualTo(client.Lifetimes));
            AssertSameMapping(found.ClaimMapping, client.ClaimMapping);
        }
    }

    [Test]
    public async Task A_client_with_only_the_required_members_reads_back_with_the_defaults()
    {
        await _store.CreateAsync(new Client { OrganizationId = _acme, ClientId = "plain" }, CancellationToken.None);

        Client found = (await FindAsync(_acme, "plain"))!;
        var defaults = new Client { OrganizationId = _acme, ClientId = "plain" };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.ClientName, Is.Null);
            Assert.That(found.Enabled, Is.True);
            Assert.That(found.TokenEndpointAuthMethod, Is.EqualTo(TokenEndpointAuthMethod.ClientSecretBasic));
            Assert.That(found.RedirectUris, Is.Empty);
            Assert.That(found.GrantTypes, Is.EqualTo(defaults.GrantTypes));
            Assert.That(found.Scopes, Is.EqualTo(defaults.Scopes));
            Assert.That(found.Secrets, Is.Empty);
            Assert.That(found.Jwks, Is.Null);
            Assert.That(found.IsNative, Is.False);
            Assert.That(found.Lifetimes, Is.EqualTo(TokenLifetimes.Default));
            AssertSameMapping(found.ClaimMapping, ClaimMapping.Default);
        }
    }

    [Test]
    public async Task The_claim_mapping_is_stored_as_snake_case_json_with_enum_names()
    {
        await _store.CreateAsync(FullClient(_acme), CancellationToken.None);

        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        string json = await connection.QuerySingleAsync<string>("SELECT claim_mapping FROM clients WHERE organization_id = @Org", new { Org = _acme });
        using JsonDocument document = JsonDocument.Parse(json);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal), Is.EqualTo(new[]
            {
                "extra_claims", "group_allow_list", "group_prefix", "group_renames", "groups_claim_name", "preferred_username_source", "userinfo_only_claims",
            }));
            Assert.That(document.RootElement.GetProperty("preferred_username_source").GetString(), Is.EqualTo("email"));
            Assert.That(document.RootElement.GetProperty("extra_claims")[1].GetProperty("from_attribute").GetString(), Is.EqualTo("department"));
        }
    }

    [Test]
    public async Task A_client_is_found_only_in_its_own_organisation_and_each_may_use_the_same_id()
    {
        long globex = await StorageFixture.CreateOrganizationAsync();
        await _store.CreateAsync(new Client { OrganizationId = _acme, ClientId = "jira", ClientName = "Acme Jira" }, CancellationToken.None);

        Client? beforeGlobex = await FindAsync(globex, "jira");
        await _store.CreateAsync(new Client { OrganizationId = globex, ClientId = "jira", ClientName = "Globex Jira" }, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(beforeGlobex, Is.Null);
            Assert.That((await FindAsync(_acme, "jira"))!.ClientName, Is.EqualTo("Acme Jira"));
            Assert.That((await FindAsync(globex, "jira"))!.ClientName, Is.EqualTo("Globex Jira"));
        }
    }

    [Test]
    public async Task An_unknown_client_is_null()
    {
        Assert.That(await FindAsync(_acme, "nobody"), Is.Null);
    }

    [Test]
    public async Task A_client_whose_secrets_cannot_be_stored_is_not_created_at_all()
    {
        Client client = new()
        {
            OrganizationId = _acme,
            ClientId = "jira",
            Secrets = [Secret("s1"), Secret("s1")],
        };

        PostgresException? error = await Assert.ThrowsAsync<PostgresException>(() => _store.CreateAsync(client, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
            Assert.That(await FindAsync(_acme, "jira"), Is.Null);
        }
    }

    [Test]
    public void A_lifetime_that_is_not_whole_seconds_is_refused_before_anything_is_stored()
    {
        var client = new Client
        {
            OrganizationId = _acme,
            ClientId = "jira",
            Lifetimes = TokenLifetimes.Default with { AccessToken = TimeSpan.FromMilliseconds(1500) },
        };

        Assert.That(() => _store.CreateAsync(client, CancellationToken.None), Throws.ArgumentException.With.Message.Contains("AccessToken"));
    }

    [Test]
    public void An_access_or_id_token_lifetime_over_the_ceiling_is_refused_because_key_retirement_relies_on_it()
    {
        TimeSpan over = TokenLifetimes.MaxSignedTokenLifetime + TimeSpan.FromSeconds(1);
        var access = new Client { OrganizationId = _acme, ClientId = "jira", Lifetimes = TokenLifetimes.Default with { AccessToken = over } };
        var id = new Client { OrganizationId = _acme, ClientId = "jira", Lifetimes = TokenLifetimes.Default with { IdToken = over } };

        Assert.That(() => _store.CreateAsync(access, CancellationToken.None), Throws.ArgumentException.With.Message.Contains("AccessToken"));
        Assert.That(() => _store.CreateAsync(id, CancellationToken.None), Throws.ArgumentException.With.Message.Contains("IdToken"));
    }

    [Test]
    public async Task Secret_ids_are_per_client_so_two_clients_may_both_have_s1()
    {
        await _store.CreateAsync(new Client { OrganizationId = _acme, ClientId = "jira", Secrets = [Secret("s1")] }, CancellationToken.None);

        await _store.CreateAsync(new Client { OrganizationId = _acme, ClientId = "confluence", Secrets = [Secret("s1")] }, CancellationToken.None);

        Assert.That((await FindAsync(_acme, "confluence"))!.Secrets.Single().Id, Is.EqualTo("s1"));
    }

    [Test]
    public async Task An_added_secret_is_read_with_the_client_and_one_for_an_unknown_client_is_refused()
    {
        await _store.CreateAsync(new Client { OrganizationId = _acme, ClientId = "jira", Secrets = [Secret("s1")] }, CancellationToken.None);

        bool added = await _store.AddSecretAsync(_acme, "jira", Secret("s2", expiresAt: Now.AddDays(7)) with { CreatedAt = Now.AddDays(1) }, CancellationToken.None);
        bool addedToNobody = await _store.AddSecretAsync(_acme, "nobody", Secret("s1"), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(added, Is.True);
            Assert.That(addedToNobody, Is.False);
            Assert.That((await FindAsync(_acme, "jira"))!.Secrets.Select(s => (s.Id, s.ExpiresAt)), Is.EqualTo(new (string, DateTimeOffset?)[] { ("s1", null), ("s2", Now.AddDays(7)) }));
        }
    }

    [Test]
    public async Task Touching_a_secret_records_when_it_was_last_used_and_never_moves_back()
    {
        long globex = await StorageFixture.CreateOrganizationAsync();
        await _store.CreateAsync(new Client { OrganizationId = _acme, ClientId = "jira", Secrets = [Secret("s1")] }, CancellationToken.None);
        await _store.CreateAsync(new Client { OrganizationId = globex, ClientId = "jira", Secrets = [Secret("s1")] }, CancellationToken.None);

        await _store.TouchSecretAsync(_acme, "jira", "s1", Now.AddMinutes(5), CancellationToken.None);
        await _store.TouchSecretAsync(_acme, "jira", "s1", Now.AddMinutes(4), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await LastUsedAsync(_acme), Is.EqualTo(Now.AddMinutes(5)));
            Assert.That(await LastUsedAsync(globex), Is.Null);
        }
    }

    [Test]
    public async Task A_stored_client_authenticates_with_its_secret_through_the_core()
    {
        string secret = ClientSecrets.Generate();
        await _store.CreateAsync(
            new Client { OrganizationId = _acme, ClientId = "jira", Secrets = [new ClientSecret("s1", ClientSecrets.Hash(secret), Now)] },
            CancellationToken.None);
        var authenticator = new ClientAuthenticator(_store, new PgReplayCache(StorageFixture.DataSource, new TestClock()), new TestClock());

        ClientAuthenticationResult result = await authenticator.AuthenticateAsync(
            new Organization(_acme, "acme", "https://id.acme.eu/acme"), ProtocolParameters.From([]), new BasicCredentials("jira", secret), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.IsSuccess, Is.True, () => result.Error?.ToString() ?? string.Empty);
            Assert.That(result.MatchedSecretId, Is.EqualTo("s1"));
        }
    }

    [Test]
    public async Task A_jwks_column_edited_into_something_unreadable_fails_loudly_naming_the_client()
    {
        await _store.CreateAsync(new Client { OrganizationId = _acme, ClientId = "jira" }, CancellationToken.None);
        await using (NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """UPDATE clients SET jwks = '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' WHERE organization_id = @Org""", new { Org = _acme });
        }

        Assert.That(
            async () => await FindAsync(_acme, "jira"),
            Throws.InvalidOperationException.With.Message.EqualTo(
                $"The stored jwks of client 'jira' of organisation {_acme} cannot be read: keys[0]: Symmetric (oct) keys are refused: a JWK Set holds public keys only."));
    }

    private static Client FullClient(long organizationId) => new()
    {
        OrganizationId = organizationId,
        ClientId = "hoop",
        ClientName = "Hoop proxy",
        Enabled = false,
        TokenEndpointAuthMethod = TokenEndpointAuthMethod.PrivateKeyJwt,
        RedirectUris = ["http://127.0.0.1/callback", "https://hoop.acme.eu/callback"],
        PostLogoutRedirectUris = ["https://hoop.acme.eu/"],
        GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
        Scopes = ["openid", "profile", "email", "groups", "offline_access"],
        Secrets = [Secret("s1"), Secret("s2", expiresAt: Now.AddDays(30).ToOffset(TimeSpan.FromHours(1)))],
        Jwks = new JwsKeySet(TestKeys.PS256, TestKeys.ES256),
        IsNative = true,
        RequirePkce = true,
        AllowPlainPkce = true,
        RequireConsent = true,
        AlwaysIssueRefreshToken = true,
        Lifetimes = new TokenLifetimes
        {
            AuthorizationCode = TimeSpan.FromSeconds(30),
            AccessToken = TimeSpan.FromMinutes(5),
            IdToken = TimeSpan.FromMinutes(2),
            RefreshTokenSliding = TimeSpan.FromHours(1),
            RefreshTokenAbsolute = TimeSpan.FromDays(7),
        },
        ClaimMapping = new ClaimMapping
        {
            PreferredUsernameSource = PreferredUsernameSource.Email,
            GroupsClaimName = "https://app.hoop.dev/groups",
            GroupAllowList = ["jira-administrators", "jira-users"],
            GroupPrefix = "jira-",
            GroupRenames = new Dictionary<string, string> { ["jira-administrators"] = "admins" },
            UserinfoOnlyClaims = ["phone_number"],
            ExtraClaims = [new ExtraClaim("tenant", StaticValue: "acme"), new ExtraClaim("department", FromAttribute: "department", Scope: "profile")],
        },
    };

    private static ClientSecret Secret(string id, DateTimeOffset? expiresAt = null) =>
        new(id, ClientSecrets.Hash("cs_" + id), Now, expiresAt);

    private static bool SameSecret(ClientSecret a, ClientSecret b) =>
        a.Id == b.Id && a.Sha256Hash.AsSpan().SequenceEqual(b.Sha256Hash) && a.CreatedAt == b.CreatedAt && a.ExpiresAt == b.ExpiresAt;

    private static void AssertSameMapping(ClaimMapping actual, ClaimMapping expected)
    {
        Assert.That(actual.PreferredUsernameSource, Is.EqualTo(expected.PreferredUsernameSource));
        Assert.That(actual.GroupsClaimName, Is.EqualTo(expected.GroupsClaimName));
        Assert.That(actual.GroupAllowList, Is.EqualTo(expected.GroupAllowList));
        Assert.That(actual.GroupPrefix, Is.EqualTo(expected.GroupPrefix));
        Assert.That(actual.GroupRenames, Is.EquivalentTo(expected.GroupRenames));
        Assert.That(actual.UserinfoOnlyClaims, Is.EqualTo(expected.UserinfoOnlyClaims));
        Assert.That(actual.ExtraClaims, Is.EqualTo(expected.ExtraClaims));
    }

    private async Task<Client?> FindAsync(long organizationId, string clientId) =>
        await _store.FindAsync(organizationId, clientId, CancellationToken.None);

    private static async Task<DateTimeOffset?> LastUsedAsync(long organizationId)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return Db.FromUtc(await connection.QuerySingleAsync<DateTime?>(
            "SELECT last_used_at FROM client_secrets WHERE organization_id = @Org", new { Org = organizationId }));
    }
}
