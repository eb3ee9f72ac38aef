using System.Security.Cryptography;
using Clavex.Core.Authorization;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.Users;
using Clavex.Server.Storage;
using Clavex.Tests.Stores;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgAuthorizationCodeStoreTests : AuthorizationCodeStoreContract
{
    protected override (IAuthorizationCodeStore Codes, IGrantStore Grants) CreateStores() =>
        (new PgAuthorizationCodeStore(StorageFixture.DataSource), new PgGrantStore(StorageFixture.DataSource));

    protected override Task<long> NewOrganizationAsync() => StorageFixture.CreateOrganizationAsync();

    [Test]
    public async Task A_redemption_carries_the_codes_user_with_groups_read_in_the_same_statement()
    {
        await new PgUserStore(StorageFixture.DataSource).CreateAsync(
            new User { OrganizationId = Acme, Subject = "u_7Hq2", Username = "alice", Email = "alice@acme.eu", Groups = ["jira-users", "confluence-users"] },
            null,
            CancellationToken.None);
        AuthorizationCode code = await StoreCodeAsync(Acme);

        CodeRedemption redemption = await RedeemAsync(Acme, code.CodeHash);

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
        AuthorizationCode code = await StoreCodeAsync(Acme);

        CodeRedemption redemption = await RedeemAsync(Acme, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
            Assert.That(redemption.User, Is.Not.Null);
            Assert.That(redemption.User!.User, Is.Null);
        }
    }

    [Test]
    public async Task The_first_refresh_token_never_outlives_the_grant()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);
        var longLived = new RefreshTokenRecord(RandomNumberGenerator.GetBytes(32), Now, GrantExpiresAt.AddDays(1));

        await RedeemAsync(Acme, code.CodeHash, longLived);

        Assert.That(await TokenExpiryAsync(longLived.TokenHash), Is.EqualTo(GrantExpiresAt));
    }

    [Test]
    public async Task A_redemption_whose_grant_cannot_be_created_leaves_the_code_unredeemed()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme);
        await Grants.CreateAsync(
            new Grant { OrganizationId = Acme, GrantId = code.GrantId, ClientId = "other", Subject = "u_other", Scopes = [], AuthTime = Now, CreatedAt = Now, ExpiresAt = GrantExpiresAt },
            null,
            CancellationToken.None);

        PostgresException error = (await Assert.ThrowsAsync<PostgresException>(() => RedeemAsync(Acme, code.CodeHash)))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
            Assert.That(await CountAsync("SELECT count(*) FROM authorization_codes WHERE organization_id = @Org AND redeemed_at IS NULL", Acme), Is.EqualTo(1));
        }
    }

    private async Task<DateTimeOffset> TokenExpiryAsync(byte[] tokenHash)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return Db.FromUtc(await connection.QuerySingleAsync<DateTime>(
            "SELECT expires_at FROM refresh_tokens WHERE organization_id = @Org AND token_hash = @Hash", new { Org = Acme, Hash = tokenHash }));
    }

    private static async Task<long> CountAsync(string sql, long organizationId)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { Org = organizationId });
    }
}
