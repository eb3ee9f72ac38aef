using System.Security.Cryptography;
using Clavex.Core.Authorization;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.Users;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgAuthorizationCodeStoreTests
{
    private static readonly DateTimeOffset Now = TestClock.DefaultStart;
    private static readonly DateTimeOffset GrantExpiresAt = Now.AddDays(30);

    private long _acme;
    private PgGrantStore _grants = null!;
    private PgAuthorizationCodeStore _codes = null!;

    [SetUp]
    public async Task CreateOrganization()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        _grants = new PgGrantStore(StorageFixture.DataSource);
        _codes = new PgAuthorizationCodeStore(StorageFixture.DataSource);
    }

    [Test]
    public async Task A_stored_code_is_redeemed_once_with_all_its_contents()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme, issueRefreshToken: true);

        CodeRedemption redemption = await RedeemAsync(_acme, code.CodeHash);

        Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
        AssertSameCode(redemption.Code!, code);
    }

    [Test]
    public async Task Optional_members_absent_from_the_code_are_absent_when_redeemed()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme, c => c with { Nonce = null, CodeChallenge = null, CodeChallengeMethod = null, SessionId = null, Acr = null, Amr = [] });

        CodeRedemption redemption = await RedeemAsync(_acme, code.CodeHash);

        AssertSameCode(redemption.Code!, code);
    }

    [Test]
    public async Task A_redemption_carries_the_codes_user_with_groups_read_in_the_same_statement()
    {
        await new PgUserStore(StorageFixture.DataSource).CreateAsync(
            new User { OrganizationId = _acme, Subject = "u_7Hq2", Username = "alice", Email = "alice@acme.eu", Groups = ["jira-users", "confluence-users"] },
            null,
            CancellationToken.None);
        AuthorizationCode code = await StoreCodeAsync(_acme);

        CodeRedemption redemption = await RedeemAsync(_acme, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.User, Is.Not.Null);
            Assert.That(redemption.User!.User!.Username, Is.EqualTo("alice"));
            Assert.That(redemption.User.User.Email, Is.EqualTo("alice@acme.eu"));
            Assert.That(redemption.User.User.Groups, Is.EqualTo(new[] { "confluence-users", "jira-users" }));
        }
    }

    [Test]
    public async Task A_redemption_whose_user_is_gone_says_so_rather_than_leaving_the_user_to_be_read()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme);

        CodeRedemption redemption = await RedeemAsync(_acme, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
            Assert.That(redemption.User, Is.Not.Null);
            Assert.That(redemption.User!.User, Is.Null);
        }
    }

    [Test]
    public async Task A_second_redemption_reports_already_redeemed_with_the_code()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme);
        await RedeemAsync(_acme, code.CodeHash);

        CodeRedemption second = await RedeemAsync(_acme, code.CodeHash);

        Assert.That(second.Status, Is.EqualTo(CodeRedemptionStatus.AlreadyRedeemed));
        AssertSameCode(second.Code!, code);
    }

    [Test]
    public async Task Of_twenty_concurrent_redemptions_exactly_one_succeeds_and_one_grant_and_token_exist()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme, issueRefreshToken: true);
        RefreshTokenRecord[] tokens = [.. Enumerable.Range(0, 20).Select(_ => NewRefreshToken())];
        using var start = new ManualResetEventSlim();

        Task<CodeRedemption>[] attempts = [.. tokens.Select(token => Task.Run(() =>
        {
            start.Wait();
            return RedeemAsync(_acme, [.. code.CodeHash], token);
        }))];
        start.Set();
        CodeRedemption[] results = await Task.WhenAll(attempts);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.Redeemed), Is.EqualTo(1));
            Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.AlreadyRedeemed), Is.EqualTo(19));
            Assert.That(await _grants.FindAsync(_acme, code.GrantId, CancellationToken.None), Is.Not.Null);
            Assert.That(await CountAsync("SELECT count(*) FROM refresh_tokens WHERE organization_id = @Org", _acme), Is.EqualTo(1));
            RefreshTokenRecord winner = tokens[Array.FindIndex(results, r => r.Status == CodeRedemptionStatus.Redeemed)];
            Assert.That(await _grants.FindByRefreshTokenAsync(_acme, winner.TokenHash, CancellationToken.None), Is.Not.Null);
        }
    }

    [Test]
    public async Task An_unknown_code_is_not_found()
    {
        CodeRedemption redemption = await RedeemAsync(_acme, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
            Assert.That(redemption.Code, Is.Null);
        }
    }

    [Test]
    public async Task A_code_of_one_organisation_is_not_found_in_another_nor_consumed_by_it()
    {
        long globex = await StorageFixture.CreateOrganizationAsync();
        AuthorizationCode code = await StoreCodeAsync(_acme);

        CodeRedemption redemption = await RedeemAsync(globex, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
            Assert.That(await _grants.FindAsync(globex, code.GrantId, CancellationToken.None), Is.Null);
            Assert.That((await RedeemAsync(_acme, code.CodeHash)).Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
        }
    }

    [Test]
    public async Task Redeeming_a_code_with_a_refresh_token_creates_its_grant_from_the_code()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme, issueRefreshToken: true);
        RefreshTokenRecord refreshToken = NewRefreshToken();

        await RedeemAsync(_acme, code.CodeHash, refreshToken);

        Grant? grant = await _grants.FindAsync(_acme, code.GrantId, CancellationToken.None);
        Assert.That(grant, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(grant!.OrganizationId, Is.EqualTo(_acme));
            Assert.That(grant.ClientId, Is.EqualTo(code.ClientId));
            Assert.That(grant.Subject, Is.EqualTo(code.Subject));
            Assert.That(grant.Scopes, Is.EqualTo(code.Scopes));
            Assert.That(grant.AuthTime, Is.EqualTo(code.AuthTime));
            Assert.That(grant.SessionId, Is.EqualTo(code.SessionId));
            Assert.That(grant.Acr, Is.EqualTo(code.Acr));
            Assert.That(grant.Amr, Is.EqualTo(code.Amr));
            Assert.That(grant.CreatedAt, Is.EqualTo(Now));
            Assert.That(grant.ExpiresAt, Is.EqualTo(GrantExpiresAt));
            Assert.That(grant.RevokedAt, Is.Null);
            Assert.That((await _grants.FindByRefreshTokenAsync(_acme, refreshToken.TokenHash, CancellationToken.None))?.GrantId, Is.EqualTo(code.GrantId));
            Assert.That(await TokenExpiryAsync(refreshToken.TokenHash), Is.EqualTo(refreshToken.ExpiresAt));
        }
    }

    [Test]
    public async Task The_first_refresh_token_never_outlives_the_grant()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme, issueRefreshToken: true);
        var longLived = new RefreshTokenRecord(RandomNumberGenerator.GetBytes(32), Now, GrantExpiresAt.AddDays(1));

        await RedeemAsync(_acme, code.CodeHash, longLived);

        Assert.That(await TokenExpiryAsync(longLived.TokenHash), Is.EqualTo(GrantExpiresAt));
    }

    [Test]
    public async Task Redeeming_a_code_without_a_refresh_token_creates_the_grant_without_a_token()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme, issueRefreshToken: false);
        RefreshTokenRecord refreshToken = NewRefreshToken();

        await RedeemAsync(_acme, code.CodeHash, refreshToken);

        using (Assert.EnterMultipleScope())
        {
            // The grant exists so that access tokens issued under it can be revoked.
            Assert.That((await _grants.FindAsync(_acme, code.GrantId, CancellationToken.None))?.Subject, Is.EqualTo(code.Subject));
            Assert.That(await _grants.FindByRefreshTokenAsync(_acme, refreshToken.TokenHash, CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task A_replayed_code_does_not_create_a_second_grant_or_token()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme, issueRefreshToken: true);
        await RedeemAsync(_acme, code.CodeHash);
        RefreshTokenRecord replayToken = NewRefreshToken();

        await RedeemAsync(_acme, code.CodeHash, replayToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _grants.FindByRefreshTokenAsync(_acme, replayToken.TokenHash, CancellationToken.None), Is.Null);
            Assert.That(await CountAsync("SELECT count(*) FROM grants WHERE organization_id = @Org", _acme), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_redemption_whose_grant_cannot_be_created_leaves_the_code_unredeemed()
    {
        AuthorizationCode code = await StoreCodeAsync(_acme);
        await _grants.CreateAsync(
            new Grant { OrganizationId = _acme, GrantId = code.GrantId, ClientId = "other", Subject = "u_other", Scopes = [], AuthTime = Now, CreatedAt = Now, ExpiresAt = GrantExpiresAt },
            null,
            CancellationToken.None);

        PostgresException error = (await Assert.ThrowsAsync<PostgresException>(() => RedeemAsync(_acme, code.CodeHash)))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
            Assert.That(await CountAsync("SELECT count(*) FROM authorization_codes WHERE organization_id = @Org AND redeemed_at IS NULL", _acme), Is.EqualTo(1));
        }
    }

    private static void AssertSameCode(AuthorizationCode actual, AuthorizationCode expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.OrganizationId, Is.EqualTo(expected.OrganizationId));
            Assert.That(actual.CodeHash, Is.EqualTo(expected.CodeHash));
            Assert.That(actual.GrantId, Is.EqualTo(expected.GrantId));
            Assert.That(actual.ClientId, Is.EqualTo(expected.ClientId));
            Assert.That(actual.RedirectUri, Is.EqualTo(expected.RedirectUri));
            Assert.That(actual.Subject, Is.EqualTo(expected.Subject));
            Assert.That(actual.Scopes, Is.EqualTo(expected.Scopes));
            Assert.That(actual.Nonce, Is.EqualTo(expected.Nonce));
            Assert.That(actual.CodeChallenge, Is.EqualTo(expected.CodeChallenge));
            Assert.That(actual.CodeChallengeMethod, Is.EqualTo(expected.CodeChallengeMethod));
            Assert.That(actual.AuthTime, Is.EqualTo(expected.AuthTime));
            Assert.That(actual.SessionId, Is.EqualTo(expected.SessionId));
            Assert.That(actual.Acr, Is.EqualTo(expected.Acr));
            Assert.That(actual.Amr, Is.EqualTo(expected.Amr));
            Assert.That(actual.IssuedAt, Is.EqualTo(expected.IssuedAt));
            Assert.That(actual.ExpiresAt, Is.EqualTo(expected.ExpiresAt));
            Assert.That(actual.IssueRefreshToken, Is.EqualTo(expected.IssueRefreshToken));
        }
    }

    private async Task<AuthorizationCode> StoreCodeAsync(long organizationId, bool issueRefreshToken = false) =>
        await StoreCodeAsync(organizationId, c => c with { IssueRefreshToken = issueRefreshToken });

    private async Task<AuthorizationCode> StoreCodeAsync(long organizationId, Func<AuthorizationCode, AuthorizationCode> edit)
    {
        AuthorizationCode code = edit(new AuthorizationCode
        {
            OrganizationId = organizationId,
            CodeHash = RandomNumberGenerator.GetBytes(32),
            GrantId = "g_" + RandomNumberGenerator.GetHexString(16),
            ClientId = "jira",
            RedirectUri = "https://jira.acme.eu/plugins/servlet/oidc/callback",
            Subject = "u_7Hq2",
            Scopes = ["openid", "email", "offline_access"],
            Nonce = "n-0S6_WzA2Mj",
            CodeChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            CodeChallengeMethod = "S256",

            // An offset other than zero: stored and read back as the same instant.
            AuthTime = Now.AddMinutes(-2).ToOffset(TimeSpan.FromHours(2)),
            SessionId = "s_1",
            Acr = "urn:clavex:acr:pwd",
            Amr = ["pwd", "otp"],
            IssuedAt = Now,
            ExpiresAt = Now.AddSeconds(60).AddMilliseconds(250),
        });
        await _codes.StoreAsync(code, CancellationToken.None);
        return code;
    }

    private Task<CodeRedemption> RedeemAsync(long organizationId, byte[] codeHash, RefreshTokenRecord? refreshToken = null) =>
        _codes.RedeemAsync(organizationId, codeHash, Now, refreshToken ?? NewRefreshToken(), GrantExpiresAt, CancellationToken.None);

    private static RefreshTokenRecord NewRefreshToken() => new(RandomNumberGenerator.GetBytes(32), Now, Now.AddHours(8));

    private async Task<DateTimeOffset> TokenExpiryAsync(byte[] tokenHash)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return Db.FromUtc(await connection.QuerySingleAsync<DateTime>(
            "SELECT expires_at FROM refresh_tokens WHERE organization_id = @Org AND token_hash = @Hash", new { Org = _acme, Hash = tokenHash }));
    }

    private static async Task<long> CountAsync(string sql, long organizationId)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { Org = organizationId });
    }
}
