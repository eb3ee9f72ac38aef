using Clavex.Core.Stores;
using Clavex.Core.Token;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Grants and their refresh-token families. Every token a grant ever had is kept until the grant is purged, so a
/// rotated token presented again is recognised as reuse rather than as unknown. Revocation is recorded on the
/// grant; its tokens are refused through it.
/// </summary>
public sealed class PgGrantStore(NpgsqlDataSource dataSource) : IGrantStore
{
    private const string GrantColumns = """
        g.grant_id, g.client_id, g.subject, g.scopes, g.auth_time, g.session_id, g.acr, g.amr, g.created_at,
        g.expires_at, g.revoked_at
        """;

    private const string InsertGrant = """
        INSERT INTO grants (
            organization_id, grant_id, client_id, subject, scopes, auth_time, session_id, acr, amr, created_at,
            expires_at, revoked_at)
        VALUES (
            @OrganizationId, @GrantId, @ClientId, @Subject, @Scopes, @AuthTime, @SessionId, @Acr, @Amr, @CreatedAt,
            @ExpiresAt, @RevokedAt)
        """;

    // The sliding window never reaches past the grant's absolute expiry.
    private const string InsertGrantWithToken = $"""
        WITH created AS (
            {InsertGrant}
            RETURNING organization_id, grant_id, expires_at
        )
        INSERT INTO refresh_tokens (organization_id, token_hash, grant_id, created_at, expires_at)
        SELECT organization_id, @TokenHash, grant_id, @TokenCreatedAt, LEAST(@TokenExpiresAt, expires_at)
        FROM created
        """;

    // RFC 9700 §4.14.2, in one statement. The presented token's row is locked first: a concurrent rotation of the
    // same token waits, then reads the row as committed (rotated_at set) and is reported as reuse. The checks run
    // in the order of the in-memory store. Client mismatch comes first (RFC 6749 §6), so another client neither
    // consumes the token nor learns the family's state; nothing is written unless the status is 'rotated'. A rotated
    // token's user is joined in, so the token endpoint has its claims without a second round trip.
    private const string Rotate = $"""
        WITH presented AS MATERIALIZED (
            SELECT t.token_hash, t.expires_at AS token_expires_at, t.rotated_at, {GrantColumns}
            FROM refresh_tokens t
            JOIN grants g ON g.organization_id = t.organization_id AND g.grant_id = t.grant_id
            WHERE t.organization_id = @OrganizationId AND t.token_hash = @PresentedHash
            FOR UPDATE OF t
        ), decided AS MATERIALIZED (
            SELECT p.*,
                   CASE
                       WHEN p.client_id <> @ClientId THEN 'client_mismatch'
                       WHEN p.revoked_at IS NOT NULL THEN 'revoked'
                       WHEN p.rotated_at IS NOT NULL THEN 'reused'
                       WHEN @Now >= p.token_expires_at OR @Now >= p.expires_at THEN 'expired'
                       ELSE 'rotated'
                   END AS status
            FROM presented p
        ), consumed AS (
            UPDATE refresh_tokens t SET rotated_at = @Now
            FROM decided d
            WHERE d.status = 'rotated' AND t.organization_id = @OrganizationId AND t.token_hash = d.token_hash
        ), replacement AS (
            INSERT INTO refresh_tokens (organization_id, token_hash, grant_id, created_at, expires_at)
            SELECT @OrganizationId, @ReplacementHash, d.grant_id, @ReplacementCreatedAt,
                   LEAST(@ReplacementExpiresAt, d.expires_at)
            FROM decided d
            WHERE d.status = 'rotated'
        )
        SELECT d.status, d.grant_id, d.client_id, d.subject, d.scopes, d.auth_time, d.session_id, d.acr, d.amr,
               d.created_at, d.expires_at, d.revoked_at, u.id AS row_id, {PgUserStore.Columns}
        FROM decided d
        LEFT JOIN users u ON d.status = 'rotated' AND u.organization_id = @OrganizationId AND u.subject = d.subject
        """;

    private const string SelectByRefreshToken = $"""
        SELECT {GrantColumns}, t.created_at AS token_created_at, t.expires_at AS token_expires_at,
               t.rotated_at IS NOT NULL AS token_rotated
        FROM refresh_tokens t
        JOIN grants g ON g.organization_id = t.organization_id AND g.grant_id = t.grant_id
        WHERE t.organization_id = @OrganizationId AND t.token_hash = @TokenHash
        """;

    private const string SelectById = $"""
        SELECT {GrantColumns} FROM grants g WHERE g.organization_id = @OrganizationId AND g.grant_id = @GrantId
        """;

    // "revoked_at IS NULL" keeps the first revocation time, and makes the count that of grants newly revoked.
    private const string Revoke = """
        UPDATE grants SET revoked_at = @Now
        WHERE organization_id = @OrganizationId AND grant_id = @GrantId AND revoked_at IS NULL
        """;

    private const string RevokeAllForSubject = """
        UPDATE grants SET revoked_at = @Now
        WHERE organization_id = @OrganizationId AND subject = @Subject AND revoked_at IS NULL
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    public async Task CreateAsync(Grant grant, RefreshTokenRecord? firstRefreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var parameters = new
        {
            grant.OrganizationId,
            grant.GrantId,
            grant.ClientId,
            grant.Subject,
            Scopes = grant.Scopes.ToArray(),
            AuthTime = Db.Utc(grant.AuthTime),
            grant.SessionId,
            grant.Acr,
            Amr = grant.Amr.ToArray(),
            CreatedAt = Db.Utc(grant.CreatedAt),
            ExpiresAt = Db.Utc(grant.ExpiresAt),
            RevokedAt = Db.Utc(grant.RevokedAt),
            firstRefreshToken?.TokenHash,
            TokenCreatedAt = Db.Utc(firstRefreshToken?.CreatedAt),
            TokenExpiresAt = Db.Utc(firstRefreshToken?.ExpiresAt),
        };
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(firstRefreshToken is null ? InsertGrant : InsertGrantWithToken, parameters, cancellationToken));
    }

    public async Task<RefreshRotation> RotateAsync(
        long organizationId,
        byte[] presentedHash,
        string clientId,
        RefreshTokenRecord replacement,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presentedHash);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(replacement);
        var parameters = new
        {
            OrganizationId = organizationId,
            PresentedHash = presentedHash,
            ClientId = clientId,
            Now = Db.Utc(now),
            ReplacementHash = replacement.TokenHash,
            ReplacementCreatedAt = Db.Utc(replacement.CreatedAt),
            ReplacementExpiresAt = Db.Utc(replacement.ExpiresAt),
        };
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        GrantRow? row = null;
        PgUserStore.UserRow? user = null;
        IEnumerable<(GrantRow Grant, PgUserStore.UserRow? User)> rows = await connection.QueryAsync<GrantRow, PgUserStore.UserRow?, (GrantRow, PgUserStore.UserRow?)>(
            Db.Command(Rotate, parameters, cancellationToken), static (grant, user) => (grant, user), splitOn: "row_id");
        foreach ((GrantRow Grant, PgUserStore.UserRow? User) read in rows)
        {
            (row, user) = read;
        }

        if (row is null)
        {
            return new RefreshRotation(RefreshRotationStatus.NotFound, null);
        }

        RefreshRotationStatus status = row.Status switch
        {
            "rotated" => RefreshRotationStatus.Rotated,
            "client_mismatch" => RefreshRotationStatus.ClientMismatch,
            "revoked" => RefreshRotationStatus.Revoked,
            "reused" => RefreshRotationStatus.Reused,
            "expired" => RefreshRotationStatus.Expired,
            _ => throw new InvalidOperationException($"Unexpected rotation status '{row.Status}'."),
        };
        return new RefreshRotation(status, row.ToGrant(organizationId))
        {
            User = status == RefreshRotationStatus.Rotated ? new IncludedUser(user?.ToUser(organizationId)) : null,
        };
    }

    public async Task<RefreshTokenLookup?> FindByRefreshTokenAsync(long organizationId, byte[] tokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenHash);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        GrantRow? row = await connection.QuerySingleOrDefaultAsync<GrantRow>(
            Db.Command(SelectByRefreshToken, new { OrganizationId = organizationId, TokenHash = tokenHash }, cancellationToken));
        return row is null
            ? null
            : new RefreshTokenLookup(row.ToGrant(organizationId), Db.FromUtc(row.TokenCreatedAt!.Value), Db.FromUtc(row.TokenExpiresAt!.Value), row.TokenRotated);
    }

    public async Task<Grant?> FindAsync(long organizationId, string grantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grantId);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        GrantRow? row = await connection.QuerySingleOrDefaultAsync<GrantRow>(
            Db.Command(SelectById, new { OrganizationId = organizationId, GrantId = grantId }, cancellationToken));
        return row?.ToGrant(organizationId);
    }

    /// <summary>
    /// Revokes the grant; idempotent. As in the in-memory store, an id with no grant is a no-op: no tombstone is
    /// recorded. Every grant id reaching here was read from a code, token or grant the store created (a redeemed
    /// code's grant exists before the redemption returns), so there is no earlier revocation to remember.
    /// </summary>
    public async Task RevokeAsync(long organizationId, string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grantId);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(Revoke, new { OrganizationId = organizationId, GrantId = grantId, Now = Db.Utc(now) }, cancellationToken));
    }

    public async Task<int> RevokeAllForSubjectAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(
            Db.Command(RevokeAllForSubject, new { OrganizationId = organizationId, Subject = subject, Now = Db.Utc(now) }, cancellationToken));
    }

    private sealed class GrantRow
    {
        /// <summary>Set only by the rotation statement.</summary>
        public string? Status { get; init; }

        /// <summary>Set only by the refresh-token lookup, like the other token members.</summary>
        public DateTime? TokenCreatedAt { get; init; }

        public DateTime? TokenExpiresAt { get; init; }

        public bool TokenRotated { get; init; }

        public string GrantId { get; init; } = string.Empty;

        public string ClientId { get; init; } = string.Empty;

        public string Subject { get; init; } = string.Empty;

        public string[] Scopes { get; init; } = [];

        public DateTime AuthTime { get; init; }

        public string? SessionId { get; init; }

        public string? Acr { get; init; }

        public string[] Amr { get; init; } = [];

        public DateTime CreatedAt { get; init; }

        public DateTime ExpiresAt { get; init; }

        public DateTime? RevokedAt { get; init; }

        public Grant ToGrant(long organizationId) => new()
        {
            OrganizationId = organizationId,
            GrantId = GrantId,
            ClientId = ClientId,
            Subject = Subject,
            Scopes = Scopes,
            AuthTime = Db.FromUtc(AuthTime),
            SessionId = SessionId,
            Acr = Acr,
            Amr = Amr,
            CreatedAt = Db.FromUtc(CreatedAt),
            ExpiresAt = Db.FromUtc(ExpiresAt),
            RevokedAt = Db.FromUtc(RevokedAt),
        };
    }
}
