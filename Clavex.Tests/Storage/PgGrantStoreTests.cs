using System.Security.Cryptography;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Server.Storage;
using Clavex.Tests.Stores;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgGrantStoreTests : GrantStoreContract
{
    protected override IGrantStore CreateStore() => new PgGrantStore(StorageFixture.DataSource);

    protected override Task<long> NewOrganizationAsync() => StorageFixture.CreateOrganizationAsync();

    [Test]
    public async Task The_replacement_expiry_is_capped_at_theFirstGrant_expiry()
    {
        Grant shortGrant = NewGrant(Acme, "g_short", expiresIn: TimeSpan.FromHours(10));
        byte[] first = RandomNumberGenerator.GetBytes(32);
        await Store.CreateAsync(shortGrant, new RefreshTokenRecord(first, Now, Now + Sliding), CancellationToken.None);
        Clock.Advance(TimeSpan.FromHours(7));
        byte[] second = RandomNumberGenerator.GetBytes(32);
        await RotateAsync(first, Jira, second, expiresAt: Now + Sliding);

        // The replacement asked for 15 h from the start; the grant ends at 10 h.
        Clock.Advance(TimeSpan.FromHours(3));
        RefreshRotation atAbsoluteEnd = await RotateAsync(second, Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(atAbsoluteEnd.Status, Is.EqualTo(RefreshRotationStatus.Expired));
            Assert.That(await TokenExpiryAsync(second), Is.EqualTo(shortGrant.ExpiresAt));
        }
    }

    [Test]
    public async Task AFirstToken_token_asking_to_outlive_itsFirstGrant_is_capped_too()
    {
        byte[] first = RandomNumberGenerator.GetBytes(32);
        Grant shortGrant = NewGrant(Acme, "g_short", expiresIn: TimeSpan.FromHours(1));

        await Store.CreateAsync(shortGrant, new RefreshTokenRecord(first, Now, Now + Sliding), CancellationToken.None);

        Assert.That(await TokenExpiryAsync(first), Is.EqualTo(shortGrant.ExpiresAt));
    }

    private async Task<DateTimeOffset> TokenExpiryAsync(byte[] tokenHash)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return Db.FromUtc(await connection.QuerySingleAsync<DateTime>(
            "SELECT expires_at FROM refresh_tokens WHERE organization_id = @Org AND token_hash = @Hash", new { Org = Acme, Hash = tokenHash }));
    }
}
