using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Deletes what can no longer matter. Each table is purged in batches (<see cref="DefaultBatchSize"/> rows), each its
/// own short transaction, so a large backlog never holds locks for long; rows locked by a request in flight are
/// skipped and caught by the next run.
/// </summary>
public sealed class PgMaintenance(NpgsqlDataSource dataSource, int batchSize = PgMaintenance.DefaultBatchSize)
{
    public const int DefaultBatchSize = 5000;

    /// <summary>A redeemed or expired code is kept this long after its expiry, so a late replay is still recognised and revokes its grant.</summary>
    public static readonly TimeSpan CodeReplayWindow = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a grant outlives its end. Userinfo treats a missing grant as revoked, so a grant must stay while
    /// access tokens issued under it are valid: one refreshed just before the grant expired lives on for its
    /// lifetime. A day covers any sensible access token lifetime.
    /// </summary>
    public static readonly TimeSpan GrantRetention = TimeSpan.FromDays(1);

    private const string DeleteCodes = """
        DELETE FROM authorization_codes WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM authorization_codes WHERE expires_at < @Cutoff LIMIT @BatchSize FOR UPDATE SKIP LOCKED))
        """;

    private const string DeleteSessions = """
        DELETE FROM sessions WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM sessions WHERE expires_at <= @Cutoff LIMIT @BatchSize FOR UPDATE SKIP LOCKED))
        """;

    // Their refresh tokens go by ON DELETE CASCADE.
    private const string DeleteGrants = """
        DELETE FROM grants WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM grants WHERE expires_at < @Cutoff LIMIT @BatchSize FOR UPDATE SKIP LOCKED))
        """;

    private const string DeleteRevokedGrants = """
        DELETE FROM grants WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM grants WHERE revoked_at < @Cutoff LIMIT @BatchSize FOR UPDATE SKIP LOCKED))
        """;

    private const string DeleteReplayEntries = """
        DELETE FROM replay_cache WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM replay_cache WHERE expires_at <= @Cutoff LIMIT @BatchSize FOR UPDATE SKIP LOCKED))
        """;

    private const string DeleteAuditEvents = """
        DELETE FROM audit_events WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM audit_events WHERE occurred_at < @Cutoff LIMIT @BatchSize FOR UPDATE SKIP LOCKED))
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly int _batchSize = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));

    /// <summary>
    /// Deletes codes expired more than <see cref="CodeReplayWindow"/> ago, expired sessions, grants expired or
    /// revoked more than <see cref="GrantRetention"/> ago (with their refresh tokens), and expired replay entries.
    /// </summary>
    public async Task<PurgeResult> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset grantCutoff = now - GrantRetention;
        int codes = await DeleteAllAsync(DeleteCodes, now - CodeReplayWindow, cancellationToken);
        int sessions = await DeleteAllAsync(DeleteSessions, now, cancellationToken);
        int grants = await DeleteAllAsync(DeleteGrants, grantCutoff, cancellationToken)
            + await DeleteAllAsync(DeleteRevokedGrants, grantCutoff, cancellationToken);
        int replayEntries = await DeleteAllAsync(DeleteReplayEntries, now, cancellationToken);
        return new PurgeResult(codes, sessions, grants, replayEntries);
    }

    /// <summary>Deletes audit events older than <paramref name="cutoff"/> (every organisation's); how many.</summary>
    public Task<int> PurgeAuditEventsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        DeleteAllAsync(DeleteAuditEvents, cutoff, cancellationToken);

    private async Task<int> DeleteAllAsync(string sql, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var parameters = new { Cutoff = Db.Utc(cutoff), BatchSize = _batchSize };
        int total = 0;
        int deleted;
        do
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            deleted = await connection.ExecuteAsync(Db.Command(sql, parameters, cancellationToken));
            total += deleted;
        }
        while (deleted == _batchSize);

        return total;
    }
}
