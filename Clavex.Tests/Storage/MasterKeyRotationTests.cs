using System.Security.Cryptography;
using Clavex.Core.Factors;
using Clavex.Server.Hosting;
using Clavex.Server.Storage;
using Clavex.Tests.Server;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>
/// Issue 15: rotating the master key without downtime. Values sealed with the old key open while the old key is
/// configured as another key; <c>rotate-master-key</c> (<see cref="MasterKeyRotation"/>) moves them all to the new
/// one, after which a server that knows only the new key signs tokens and reads authenticator secrets.
/// </summary>
public class MasterKeyRotationTests
{
    [Test]
    public async Task After_the_rotation_a_server_with_only_the_new_key_signs_in_and_reads_the_authenticator_secret()
    {
        // Its own database: the rotation rewrites every sealed row, and other tests' rows are sealed with the shared key.
        string database = await PostgresFixture.CreateDatabaseAsync("masterkey");
        await ClavexCommand.MigrateAsync(database);
        byte[] oldKey = ClavexTestServer.DefaultMasterKey.ToArray();
        byte[] newKey = RandomNumberGenerator.GetBytes(32);
        byte[] secret = Totp.NewSecret();
        TestOrganization org;
        await using (ClavexTestServer before = await ClavexTestServer.StartAsync(connectionString: database))
        {
            org = await before.SeedOrganizationAsync();
            using HttpClient browser = before.CreateClient();
            await ServerTestBase.SignInAsync(browser, org);
            Assert.That(await before.Services.GetRequiredService<PgSecondFactorStore>().BeginTotpAsync(org.Id, org.AliceSubject, secret, before.Clock.GetUtcNow(), CancellationToken.None), Is.True);
        }

        await using var dataSource = NpgsqlDataSource.Create(database);
        MasterKeyRotationResult first = await new MasterKeyRotation(dataSource, new KeyEncryption(newKey, [oldKey])).RunAsync(CancellationToken.None);
        MasterKeyRotationResult again = await new MasterKeyRotation(dataSource, new KeyEncryption(newKey, [oldKey])).RunAsync(CancellationToken.None);
        MasterKeyRotationResult stranger = await new MasterKeyRotation(dataSource, new KeyEncryption(RandomNumberGenerator.GetBytes(32))).RunAsync(CancellationToken.None);

        Assert.That((first.SigningKeys, first.TotpSecrets, first.Unopenable), Is.EqualTo((1, 1, 0)));
        Assert.That((again.SigningKeys, again.TotpSecrets, again.AlreadyCurrent), Is.EqualTo((0, 0, 2)), "a second run finds nothing to do");
        Assert.That((stranger.Unopenable, stranger.SigningKeys), Is.EqualTo((2, 0)), "a key that opens nothing changes nothing");

        await using ClavexTestServer after = await ClavexTestServer.StartAsync(connectionString: database, masterKey: newKey);
        using HttpClient again2 = after.CreateClient();
        await ServerTestBase.SignInAsync(again2, org);
        SecondFactorAccount? account = await after.Services.GetRequiredService<PgSecondFactorStore>().FindAsync(org.Id, org.AliceSubject, CancellationToken.None);
        Assert.That(account!.Totp!.Secret, Is.EqualTo(secret));
    }

    [Test]
    public void A_value_sealed_with_another_configured_key_opens_and_reseals_to_the_master_key()
    {
        byte[] oldKey = RandomNumberGenerator.GetBytes(32);
        byte[] newKey = RandomNumberGenerator.GetBytes(32);
        byte[] sealedOld = new KeyEncryption(oldKey).Encrypt("secret"u8, "ad"u8);
        var both = new KeyEncryption(newKey, [oldKey]);

        Assert.That(both.Decrypt(sealedOld, "ad"u8), Is.EqualTo("secret"u8.ToArray()));
        byte[] resealed = both.Reseal(sealedOld, "ad"u8)!;
        Assert.That(new KeyEncryption(newKey).Decrypt(resealed, "ad"u8), Is.EqualTo("secret"u8.ToArray()));
        Assert.That(both.Reseal(resealed, "ad"u8), Is.Null, "already under the master key");
        Assert.Throws<CryptographicException>(() => new KeyEncryption(oldKey).Decrypt(resealed, "ad"u8));
        Assert.Throws<CryptographicException>(() => both.Decrypt(sealedOld, "other"u8), "the associated data still binds it");
    }
}
