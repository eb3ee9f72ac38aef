using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Clavex.Core.Jose;
using Clavex.Core.Stores;
using Clavex.Server.Storage;
using Clavex.Tests.Jose;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgSigningKeyStoreTests
{
    private static readonly byte[] SigningInput = Encoding.ASCII.GetBytes("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1XzEifQ");

    private readonly byte[] _masterKey = RandomNumberGenerator.GetBytes(32);
    private long _acme;

    [SetUp]
    public async Task CreateOrganization() => _acme = await StorageFixture.CreateOrganizationAsync();

    [Test]
    public async Task The_first_key_is_created_once_as_the_current_rs256_key_named_by_its_thumbprint()
    {
        PgSigningKeyStore store = NewStore();

        bool created = await store.EnsureKeyAsync(_acme);
        bool again = await store.EnsureKeyAsync(_acme);
        SigningKeys keys = await store.GetAsync(_acme, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created, Is.True);
            Assert.That(again, Is.False);
            Assert.That(keys.Current.Algorithm, Is.EqualTo(JwsAlgorithm.RS256));
            Assert.That(keys.Current.HasPrivateKey, Is.True);
            Assert.That(keys.Current.KeyId, Is.EqualTo(JwkThumbprint.Compute(keys.Current)));
            Assert.That(keys.Published, Is.EqualTo(new[] { keys.Current }));
            Assert.That(await CountAsync("SELECT count(*) FROM signing_keys WHERE organization_id = @Org AND state = 'current'"), Is.EqualTo(1));
        }
    }

    [TestCase(JwsAlgorithm.RS256)]
    [TestCase(JwsAlgorithm.PS256)]
    [TestCase(JwsAlgorithm.ES256)]
    public async Task A_key_read_back_by_another_instance_signs_and_verifies_with_the_same_key(JwsAlgorithm algorithm)
    {
        PgSigningKeyStore creator = NewStore();
        await creator.EnsureKeyAsync(_acme, algorithm);
        JwsKey original = (await creator.GetAsync(_acme, CancellationToken.None)).Current;

        SigningKeys reloaded = await NewStore().GetAsync(_acme, CancellationToken.None);
        byte[] signature = Sign(reloaded.Current);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reloaded.Current, Is.Not.SameAs(original));
            Assert.That(reloaded.Current.KeyId, Is.EqualTo(original.KeyId));
            Assert.That(reloaded.Current.Algorithm, Is.EqualTo(algorithm));
            Assert.That(original.Verify(SigningInput, signature), Is.True);
            Assert.That(reloaded.Verification.FindByKeyId(original.KeyId)!.Verify(SigningInput, Sign(original)), Is.True);
        }
    }

    [Test]
    public async Task The_stored_private_key_is_ciphertext_that_does_not_contain_the_pkcs8_bytes()
    {
        PgSigningKeyStore store = NewStore();
        await store.EnsureKeyAsync(_acme);
        var current = (RsaJwsKey)(await store.GetAsync(_acme, CancellationToken.None)).Current;
        byte[] stored = await StoredPrivateKeyAsync(_acme);

        byte[] pkcs8 = new KeyEncryption(_masterKey).Decrypt(stored, PgSigningKeyStore.AssociatedData(_acme, current.KeyId));
        byte[] privateExponent = current.Rsa.ExportParameters(includePrivateParameters: true).D!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pkcs8, Is.EqualTo(current.Rsa.ExportPkcs8PrivateKey()));
            Assert.That(stored.AsSpan().IndexOf(pkcs8), Is.EqualTo(-1));
            Assert.That(stored.AsSpan().IndexOf(privateExponent.AsSpan(0, 16)), Is.EqualTo(-1));
            Assert.That(stored, Has.Length.EqualTo(pkcs8.Length + 29));
        }
    }

    [Test]
    public async Task Another_master_key_fails_clearly()
    {
        await NewStore().EnsureKeyAsync(_acme);
        var wrongMasterKey = new PgSigningKeyStore(StorageFixture.DataSource, new KeyEncryption(RandomNumberGenerator.GetBytes(32)), new TestClock());

        Assert.That(
            async () => await wrongMasterKey.GetAsync(_acme, CancellationToken.None),
            Throws.InstanceOf<CryptographicException>().With.Message.Contains("none of the configured master keys is the one it was encrypted with"));
    }

    [Test]
    public async Task A_private_key_copied_to_another_organisations_row_does_not_decrypt()
    {
        long globex = await StorageFixture.CreateOrganizationAsync();
        await NewStore().EnsureKeyAsync(_acme);
        await NewStore().EnsureKeyAsync(globex);
        await using (NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "UPDATE signing_keys SET private_key = @Key WHERE organization_id = @Globex", new { Key = await StoredPrivateKeyAsync(_acme), Globex = globex });
        }

        Assert.That(async () => await NewStore().GetAsync(globex, CancellationToken.None), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public async Task Of_concurrent_first_keys_from_several_instances_exactly_one_is_created()
    {
        using var start = new ManualResetEventSlim();

        Task<bool>[] attempts = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await NewStore().EnsureKeyAsync(_acme);
        }))];
        start.Set();
        bool[] results = await Task.WhenAll(attempts);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(created => created), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM signing_keys WHERE organization_id = @Org"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task An_organisation_without_keys_is_a_set_up_error()
    {
        Assert.That(
            async () => await NewStore().GetAsync(_acme, CancellationToken.None),
            Throws.InvalidOperationException.With.Message.EqualTo($"Organisation {_acme} has no current signing key; EnsureKeyAsync creates one."));
    }

    [Test]
    public async Task Cached_keys_are_served_without_the_database_until_invalidated()
    {
        PgSigningKeyStore store = NewStore();
        await store.EnsureKeyAsync(_acme);
        SigningKeys first = await store.GetAsync(_acme, CancellationToken.None);
        await ExecuteAsync("DELETE FROM signing_keys WHERE organization_id = @Org");

        ValueTask<SigningKeys> cached = store.GetAsync(_acme, CancellationToken.None);
        store.Invalidate(_acme);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cached.IsCompletedSuccessfully, Is.True);
            Assert.That(await cached, Is.SameAs(first));
            Assert.That(async () => await store.GetAsync(_acme, CancellationToken.None), Throws.InvalidOperationException);
        }
    }

    [Test]
    public async Task Next_and_previous_keys_are_published_from_their_public_jwk_and_retired_ones_are_not()
    {
        PgSigningKeyStore store = NewStore();
        await store.EnsureKeyAsync(_acme);
        await InsertPublicOnlyAsync(TestKeys.ES256, "next");
        await InsertPublicOnlyAsync(TestKeys.PS256, "previous");
        await InsertPublicOnlyAsync(TestKeys.RS256, "retired");
        store.Invalidate(_acme);

        SigningKeys keys = await store.GetAsync(_acme, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Published.Select(k => k.KeyId), Is.EqualTo(new[] { keys.Current.KeyId, TestKeys.ES256.KeyId, TestKeys.PS256.KeyId }));
            Assert.That(keys.Published.Skip(1).Select(k => k.HasPrivateKey), Is.All.False);
            Assert.That(keys.Verification.FindByKeyId(TestKeys.ES256.KeyId)!.Verify(SigningInput, Sign(TestKeys.ES256)), Is.True);
            Assert.That(keys.Verification.FindByKeyId(TestKeys.RS256.KeyId), Is.Null);
        }
    }

    private PgSigningKeyStore NewStore() => new(StorageFixture.DataSource, new KeyEncryption(_masterKey), new TestClock());

    private static byte[] Sign(JwsKey key)
    {
        var signature = new byte[key.SignatureSize];
        Assert.That(key.TrySign(SigningInput, signature, out int written), Is.True);
        return signature[..written];
    }

    // The private key column holds garbage: only the signing key's is ever decrypted. A next key activates and a
    // previous key retires a day after the test clock's start.
    private async Task InsertPublicOnlyAsync(JwsKey key, string state)
    {
        string jwk = JsonNode.Parse(JwkSet.ToJson([key]))!["keys"]![0]!.ToJsonString();
        DateTimeOffset later = TestClock.DefaultStart.AddDays(1);
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO signing_keys (organization_id, kid, algorithm, state, public_jwk, private_key, created_at, activates_at, retire_after)
            VALUES (@Org, @Kid, @Algorithm, @State, @Jwk::jsonb, '\x00', now(),
                    CASE WHEN @State = 'next' THEN @Later END, CASE WHEN @State = 'previous' THEN @Later END)
            """,
            new { Org = _acme, Kid = key.KeyId, Algorithm = JwsAlgorithms.GetName(key.Algorithm), State = state, Jwk = jwk, Later = later });
    }

    private static async Task<byte[]> StoredPrivateKeyAsync(long organizationId)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<byte[]>("SELECT private_key FROM signing_keys WHERE organization_id = @Org", new { Org = organizationId });
    }

    private async Task<long> CountAsync(string sql)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { Org = _acme });
    }

    private async Task ExecuteAsync(string sql)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { Org = _acme });
    }
}
