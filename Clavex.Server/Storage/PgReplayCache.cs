using Clavex.Core.Stores;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>Single-use values until they expire, in one round trip. Expired rows are replaced here or purged later.</summary>
public sealed class PgReplayCache(NpgsqlDataSource dataSource, TimeProvider timeProvider) : IReplayCache
{
    // A row comes back when the key was new, or when its earlier entry had expired and is replaced. Concurrent
    // adds of one key serialise on the primary key, so exactly one of them gets a row.
    private const string Add = """
        INSERT INTO replay_cache (organization_id, key, expires_at)
        VALUES (@OrganizationId, @Key, @ExpiresAt)
        ON CONFLICT (organization_id, key) DO UPDATE SET expires_at = EXCLUDED.expires_at
        WHERE replay_cache.expires_at <= @Now
        RETURNING true
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    public async ValueTask<bool> TryAddAsync(long organizationId, string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = new { OrganizationId = organizationId, Key = key, ExpiresAt = Db.Utc(expiresAt), Now = Db.Utc(_timeProvider.GetUtcNow()) };
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool?>(Db.Command(Add, parameters, cancellationToken)) == true;
    }
}
