using System.Security.Cryptography;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.Users;
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
    public async Task A_rotation_carries_the_grants_user_but_a_refused_one_does_not()
    {
        Grant grant = NewGrant(Acme, "g_user", TimeSpan.FromDays(30));
        await new PgUserStore(StorageFixture.DataSource).CreateAsync(
            new User { OrganizationId = Acme, Subject = grant.Subject, Username = "alice", Groups = ["jira-users"] }, null, CancellationToken.None);
        byte[] first = RandomNumberGenerator.GetBytes(32);
        await Store.CreateAsync(grant, new RefreshTokenRecord(first, Now, Now + Sliding), CancellationToken.None);

        RefreshRotation rotated = await RotateAsync(first, Jira, RandomNumberGenerator.GetBytes(32));
        RefreshRotation reused = await RotateAsync(first, Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated.Status, Is.EqualTo(RefreshRotationStatus.Rotated));
            Assert.That(rotated.User?.User?.Username, Is.EqualTo("alice"));
            Assert.That(rotated.User?.User?.Groups, Is.EqualTo(new[] { "jira-users" }));
            Assert.That(reused.Status, Is.EqualTo(RefreshRotationStatus.Reused));
            Assert.That(reused.User, Is.Null);
        }
    }

    [Test]
    public async Task The_replacement_expiry_is_capped_at_the_grant_expiry()
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
    public async Task A_first_token_asking_to_outlive_its_grant_is_capped_too()
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
