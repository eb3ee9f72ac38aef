using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Core.Stores;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Signing keys, cached per organisation: after the first read, <see cref="GetAsync"/> returns the cached
/// <see cref="SigningKeys"/> without touching the database, so token issuance does not wait on it. Whoever changes
/// an organisation's keys calls <see cref="Invalidate"/> here and sends <see cref="CacheChanges.SigningKeys"/> in
/// the change's transaction, which <see cref="CacheChangeListener"/> turns into <see cref="Invalidate"/> on every
/// instance. Only the current key's private key is decrypted; the others are published and verify from their public JWK.
/// </summary>
public sealed class PgSigningKeyStore(NpgsqlDataSource dataSource, KeyEncryption encryption, TimeProvider timeProvider) : ISigningKeyStore
{
    private const string Current = "current";

    // Current first, then next and previous; the current key's ciphertext is the only one read.
    private const string SelectPublished = """
        SELECT kid, algorithm, state, public_jwk, CASE WHEN state = 'current' THEN private_key END AS private_key
        FROM signing_keys
        WHERE organization_id = @OrganizationId AND state IN ('next', 'current', 'previous')
        ORDER BY CASE state WHEN 'current' THEN 0 WHEN 'next' THEN 1 ELSE 2 END, created_at DESC, kid
        """;

    private const string SelectHasCurrent = """
        SELECT EXISTS (SELECT 1 FROM signing_keys WHERE organization_id = @OrganizationId AND state = 'current')
        """;

    // signing_keys_one_current arbitrates between instances creating a first key at the same time: one row wins,
    // the other insert does nothing.
    private const string InsertCurrent = """
        INSERT INTO signing_keys (organization_id, kid, algorithm, state, public_jwk, private_key, created_at, activated_at)
        VALUES (@OrganizationId, @Kid, @Algorithm, 'current', @PublicJwk::jsonb, @PrivateKey, @Now, @Now)
        ON CONFLICT (organization_id) WHERE state = 'current' DO NOTHING
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly KeyEncryption _encryption = encryption ?? throw new ArgumentNullException(nameof(encryption));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    private readonly ConcurrentDictionary<long, SigningKeys> _cache = new();
    private readonly Lock _invalidation = new();
    private long _generation;

    /// <summary>The organisation's keys; one without a current key is a set-up error and throws, as in memory.</summary>
    public ValueTask<SigningKeys> GetAsync(long organizationId, CancellationToken cancellationToken) =>
        _cache.TryGetValue(organizationId, out SigningKeys? keys)
            ? ValueTask.FromResult(keys)
            : new ValueTask<SigningKeys>(LoadAsync(organizationId, cancellationToken));

    /// <summary>
    /// Drops the organisation's cached keys; the next <see cref="GetAsync"/> reads them again. The dropped keys are
    /// not disposed, because requests in flight may still be signing with them.
    /// </summary>
    public void Invalidate(long organizationId)
    {
        lock (_invalidation)
        {
            _generation++;
            _cache.TryRemove(organizationId, out _);
        }
    }

    /// <summary>Drops every organisation's cached keys, for when changes may have been missed.</summary>
    public void InvalidateAll()
    {
        lock (_invalidation)
        {
            _generation++;
            _cache.Clear();
        }
    }

    /// <summary>
    /// Gives the organisation its first signing key if it has no current one; true when this call created it. Safe
    /// to call from several instances at once: exactly one key is created.
    /// </summary>
    public async Task<bool> EnsureKeyAsync(long organizationId, JwsAlgorithm algorithm = JwsAlgorithm.RS256, CancellationToken cancellationToken = default)
    {
        if (algorithm is not (JwsAlgorithm.RS256 or JwsAlgorithm.PS256 or JwsAlgorithm.ES256))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Signing keys are RS256, PS256 or ES256.");
        }

        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>(Db.Command(SelectHasCurrent, new { OrganizationId = organizationId }, cancellationToken)))
        {
            return false;
        }

        using JwsKey key = algorithm == JwsAlgorithm.ES256 ? EcJwsKey.Generate() : RsaJwsKey.Generate(algorithm);
        var parameters = new
        {
            OrganizationId = organizationId,
            Kid = key.KeyId,
            Algorithm = JwsAlgorithms.GetName(algorithm),
            PublicJwk = PublicJwk(key),
            PrivateKey = Seal(organizationId, key),
            Now = Db.Utc(_timeProvider.GetUtcNow()),
        };
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        bool created = await connection.ExecuteAsync(Db.Command(InsertCurrent, parameters, cancellationToken, transaction)) == 1;
        if (created)
        {
            await CacheChanges.NotifyAsync(connection, CacheChanges.SigningKeys(organizationId), cancellationToken, transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        if (created)
        {
            Invalidate(organizationId);
        }

        return created;
    }

    private async Task<SigningKeys> LoadAsync(long organizationId, CancellationToken cancellationToken)
    {
        long generation = Volatile.Read(ref _generation);
        List<KeyRow> rows;
        await using (NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            rows = [.. await connection.QueryAsync<KeyRow>(Db.Command(SelectPublished, new { OrganizationId = organizationId }, cancellationToken))];
        }

        if (rows.Count == 0 || rows[0].State != Current)
        {
            throw new InvalidOperationException($"Organisation {organizationId} has no current signing key; EnsureKeyAsync creates one.");
        }

        var published = new List<JwsKey>(rows.Count);
        try
        {
            foreach (KeyRow row in rows)
            {
                published.Add(row.State == Current ? Open(organizationId, row) : ReadPublic(organizationId, row));
            }
        }
        catch
        {
            published.ForEach(k => k.Dispose());
            throw;
        }

        var keys = new SigningKeys(published[0], published);

        // An invalidation while this load ran may mean these rows are already stale: use them once, cache nothing.
        lock (_invalidation)
        {
            return generation == _generation ? _cache.GetOrAdd(organizationId, keys) : keys;
        }
    }

    private JwsKey Open(long organizationId, KeyRow row)
    {
        JwsAlgorithm algorithm = ParseAlgorithm(organizationId, row);
        byte[] pkcs8 = _encryption.Decrypt(row.PrivateKey!, AssociatedData(organizationId, row.Kid));
        try
        {
            if (algorithm == JwsAlgorithm.ES256)
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
                return new EcJwsKey(ecdsa, row.Kid);
            }

            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return new RsaJwsKey(rsa, algorithm, row.Kid);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static JwsKey ReadPublic(long organizationId, KeyRow row)
    {
        JwsAlgorithm algorithm = ParseAlgorithm(organizationId, row);
        using JsonDocument jwk = JsonDocument.Parse(row.PublicJwk);
        if (!JwkReader.TryReadKey(jwk.RootElement, out JwsKey? key, out string? error))
        {
            throw new InvalidOperationException($"The public JWK of signing key '{row.Kid}' of organisation {organizationId} cannot be read: {error}");
        }

        if (key.Algorithm != algorithm || key.KeyId != row.Kid)
        {
            key.Dispose();
            throw new InvalidOperationException($"The public JWK of signing key '{row.Kid}' of organisation {organizationId} does not match its row.");
        }

        return key;
    }

    private static JwsAlgorithm ParseAlgorithm(long organizationId, KeyRow row) =>
        JwsAlgorithms.TryParse(row.Algorithm, out JwsAlgorithm algorithm) && !JwsAlgorithms.IsSymmetric(algorithm)
            ? algorithm
            : throw new InvalidOperationException($"Signing key '{row.Kid}' of organisation {organizationId} has the unknown algorithm '{row.Algorithm}'.");

    private byte[] Seal(long organizationId, JwsKey key)
    {
        byte[] pkcs8 = key switch
        {
            RsaJwsKey rsa => rsa.Rsa.ExportPkcs8PrivateKey(),
            EcJwsKey ec => ec.Ecdsa.ExportPkcs8PrivateKey(),
            _ => throw new ArgumentException("Only RSA and EC keys are stored.", nameof(key)),
        };
        try
        {
            return _encryption.Encrypt(pkcs8, AssociatedData(organizationId, key.KeyId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>The organisation id (8 bytes, big-endian) then the kid in UTF-8: fixed-width first, so unambiguous.</summary>
    internal static byte[] AssociatedData(long organizationId, string kid)
    {
        var data = new byte[sizeof(long) + Encoding.UTF8.GetByteCount(kid)];
        BinaryPrimitives.WriteInt64BigEndian(data, organizationId);
        Encoding.UTF8.GetBytes(kid, data.AsSpan(sizeof(long)));
        return data;
    }

    private static string PublicJwk(JwsKey key)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            key.WritePublicJwk(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class KeyRow
    {
        public string Kid { get; init; } = string.Empty;

        public string Algorithm { get; init; } = string.Empty;

        public string State { get; init; } = string.Empty;

        public string PublicJwk { get; init; } = "{}";

        public byte[]? PrivateKey { get; init; }
    }
}
