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
/// instance. Only the signing key's private key is decrypted; the others are published and verify from their public JWK.
/// <para>
/// Which key signs follows from the clock as well as from the rows: a 'next' key whose <c>activates_at</c> has passed
/// signs even before <see cref="KeyRotation"/> has marked it current, and a 'previous' key past its
/// <c>retire_after</c> is no longer published. A cached set is read again at the first such instant, so every
/// instance that has seen a next key switches to it at the same moment, whenever the rotation sweep runs.
/// </para>
/// </summary>
public sealed class PgSigningKeyStore(NpgsqlDataSource dataSource, KeyEncryption encryption, TimeProvider timeProvider) : ISigningKeyStore
{
    private const string Current = "current";
    private const string Next = "next";

    // Next first, then current, then previous; only the keys that sign now or may soon have their ciphertext read.
    private const string SelectPublished = """
        SELECT kid, algorithm, state, public_jwk, activates_at, retire_after,
               CASE WHEN state IN ('current', 'next') THEN private_key END AS private_key
        FROM signing_keys
        WHERE organization_id = @OrganizationId AND state IN ('next', 'current', 'previous')
        ORDER BY CASE state WHEN 'next' THEN 0 WHEN 'current' THEN 1 ELSE 2 END, created_at DESC, kid
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
    private readonly ConcurrentDictionary<long, CachedKeys> _cache = new();
    private readonly Lock _invalidation = new();
    private long _generation;

    /// <summary>The organisation's keys; one without a current key is a set-up error and throws, as in memory.</summary>
    public ValueTask<SigningKeys> GetAsync(long organizationId, CancellationToken cancellationToken) =>
        _cache.TryGetValue(organizationId, out CachedKeys? cached) && _timeProvider.GetUtcNow() < cached.ReloadAt
            ? ValueTask.FromResult(cached.Keys)
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

        using JwsKey key = Generate(algorithm);
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

    /// <summary>A new key pair for <paramref name="algorithm"/>, named by its RFC 7638 thumbprint.</summary>
    internal static JwsKey Generate(JwsAlgorithm algorithm) =>
        algorithm switch
        {
            JwsAlgorithm.ES256 => EcJwsKey.Generate(),
            JwsAlgorithm.RS256 or JwsAlgorithm.PS256 => RsaJwsKey.Generate(algorithm),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Signing keys are RS256, PS256 or ES256."),
        };

    private async Task<SigningKeys> LoadAsync(long organizationId, CancellationToken cancellationToken)
    {
        long generation = Volatile.Read(ref _generation);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        List<KeyRow> rows;
        await using (NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            rows = [.. await connection.QueryAsync<KeyRow>(Db.Command(SelectPublished, new { OrganizationId = organizationId }, cancellationToken))];
        }

        // The signer is the next key once its time has come, else the current key; the rows are ordered next first.
        int signer = -1;
        DateTimeOffset reloadAt = DateTimeOffset.MaxValue;
        for (int i = 0; i < rows.Count; i++)
        {
            KeyRow row = rows[i];
            DateTimeOffset? activatesAt = Db.FromUtc(row.ActivatesAt);
            DateTimeOffset? retireAfter = Db.FromUtc(row.RetireAfter);
            if (row.State == Next && activatesAt > now)
            {
                reloadAt = Min(reloadAt, activatesAt.Value);
            }
            else if (row.State is Next or Current && signer < 0)
            {
                signer = i;
            }
            else if (retireAfter > now)
            {
                reloadAt = Min(reloadAt, retireAfter.Value);
            }
        }

        if (signer < 0)
        {
            throw new InvalidOperationException($"Organisation {organizationId} has no current signing key; EnsureKeyAsync creates one.");
        }

        var published = new List<JwsKey>(rows.Count);
        try
        {
            published.Add(Open(organizationId, rows[signer]));
            for (int i = 0; i < rows.Count; i++)
            {
                KeyRow row = rows[i];
                // A previous key past retire_after has outlived every token it signed: it is no longer published.
                if (i != signer && !(row.State != Next && row.State != Current && Db.FromUtc(row.RetireAfter) <= now))
                {
                    published.Add(ReadPublic(organizationId, row));
                }
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
            return generation == _generation ? _cache.GetOrAdd(organizationId, new CachedKeys(keys, reloadAt)).Keys : keys;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

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

    /// <summary>The private key as PKCS#8 under the master key, bound to the organisation and kid.</summary>
    internal byte[] Seal(long organizationId, JwsKey key)
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

    internal static string PublicJwk(JwsKey key)
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

        public DateTime? ActivatesAt { get; init; }

        public DateTime? RetireAfter { get; init; }
    }

    /// <summary>A loaded set and the instant it stops being right by the clock alone.</summary>
    private sealed record CachedKeys(SigningKeys Keys, DateTimeOffset ReloadAt);
}
