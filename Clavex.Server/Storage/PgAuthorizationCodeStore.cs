using Clavex.Core.Authorization;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Authorization codes under their SHA-256. A successful redemption is one statement: the code is marked redeemed,
/// its grant created and, when the code carries one, its first refresh token stored, all or nothing.
/// </summary>
public sealed class PgAuthorizationCodeStore(NpgsqlDataSource dataSource) : IAuthorizationCodeStore
{
    // Committed without waiting for the WAL flush: if the server crashes before the flush, the code is lost and its
    // redemption fails (invalid_grant), so the user signs in again; no lost write can let anything in. The redemption
    // below, which must never be undone (a code used twice), stays a durable commit. BEGIN and COMMIT share the
    // command text, so the transaction is still one round trip.
    private const string Insert = """
        BEGIN;
        SET LOCAL synchronous_commit = off;
        INSERT INTO authorization_codes (
            organization_id, code_hash, grant_id, client_id, redirect_uri, subject, scopes, nonce, code_challenge,
            code_challenge_method, auth_time, session_id, acr, amr, issued_at, expires_at, issue_refresh_token)
        VALUES (
            @OrganizationId, @CodeHash, @GrantId, @ClientId, @RedirectUri, @Subject, @Scopes, @Nonce, @CodeChallenge,
            @CodeChallengeMethod, @AuthTime, @SessionId, @Acr, @Amr, @IssuedAt, @ExpiresAt, @IssueRefreshToken);
        COMMIT
        """;

    private const string CodeColumns = """
        c.code_hash, c.grant_id, c.client_id, c.redirect_uri, c.subject, c.scopes, c.nonce, c.code_challenge,
        c.code_challenge_method, c.auth_time, c.session_id, c.acr, c.amr, c.issued_at, c.expires_at,
        c.issue_refresh_token
        """;

    // Of concurrent redemptions, the row lock lets one UPDATE through; the others wait, re-check
    // "redeemed_at IS NULL" against the committed row, and match nothing. The grant is created whether or not the
    // code carries a refresh token, so that a replay can revoke the access tokens issued under it. All parts of the
    // statement commit together, so a failing insert leaves the code unredeemed. The code's user is joined in (its
    // row id splits the two rows), so the token endpoint has its claims without a second round trip.
    private const string Redeem = $"""
        WITH redeemed AS (
            UPDATE authorization_codes SET redeemed_at = @Now
            WHERE organization_id = @OrganizationId AND code_hash = @CodeHash AND redeemed_at IS NULL
            RETURNING *
        ), created_grant AS (
            INSERT INTO grants (
                organization_id, grant_id, client_id, subject, scopes, auth_time, session_id, acr, amr, created_at,
                expires_at)
            SELECT organization_id, grant_id, client_id, subject, scopes, auth_time, session_id, acr, amr, @Now,
                   @GrantExpiresAt
            FROM redeemed
            RETURNING organization_id, grant_id, expires_at
        ), first_token AS (
            INSERT INTO refresh_tokens (organization_id, token_hash, grant_id, created_at, expires_at)
            SELECT g.organization_id, @TokenHash, g.grant_id, @TokenCreatedAt, LEAST(@TokenExpiresAt, g.expires_at)
            FROM created_grant g, redeemed r
            WHERE r.issue_refresh_token
        )
        SELECT {CodeColumns}, u.id AS row_id, {PgUserStore.Columns}
        FROM redeemed c
        LEFT JOIN users u ON u.organization_id = c.organization_id AND u.subject = c.subject
        """;

    // Only after the redemption matched nothing: the code is unknown, or it was redeemed before.
    private const string SelectCode = $"""
        SELECT {CodeColumns} FROM authorization_codes c WHERE c.organization_id = @OrganizationId AND c.code_hash = @CodeHash
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    public async Task StoreAsync(AuthorizationCode code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        var parameters = new
        {
            code.OrganizationId,
            code.CodeHash,
            code.GrantId,
            code.ClientId,
            code.RedirectUri,
            code.Subject,
            Scopes = code.Scopes.ToArray(),
            code.Nonce,
            code.CodeChallenge,
            code.CodeChallengeMethod,
            AuthTime = Db.Utc(code.AuthTime),
            code.SessionId,
            code.Acr,
            Amr = code.Amr.ToArray(),
            IssuedAt = Db.Utc(code.IssuedAt),
            ExpiresAt = Db.Utc(code.ExpiresAt),
            code.IssueRefreshToken,
        };
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(Insert, parameters, cancellationToken));
    }

    public async Task<CodeRedemption> RedeemAsync(
        long organizationId,
        byte[] codeHash,
        DateTimeOffset now,
        RefreshTokenRecord refreshToken,
        DateTimeOffset grantExpiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        ArgumentNullException.ThrowIfNull(refreshToken);
        var parameters = new
        {
            OrganizationId = organizationId,
            CodeHash = codeHash,
            Now = Db.Utc(now),
            GrantExpiresAt = Db.Utc(grantExpiresAt),
            refreshToken.TokenHash,
            TokenCreatedAt = Db.Utc(refreshToken.CreatedAt),
            TokenExpiresAt = Db.Utc(refreshToken.ExpiresAt),
        };
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<(CodeRow Code, PgUserStore.UserRow? User)> rows = await connection.QueryAsync<CodeRow, PgUserStore.UserRow?, (CodeRow, PgUserStore.UserRow?)>(
            Db.Command(Redeem, parameters, cancellationToken), static (code, user) => (code, user), splitOn: "row_id");
        foreach ((CodeRow code, PgUserStore.UserRow? user) in rows)
        {
            return new CodeRedemption(CodeRedemptionStatus.Redeemed, code.ToCode(organizationId))
            {
                User = new IncludedUser(user?.ToUser(organizationId)),
            };
        }

        CodeRow? stored = await connection.QuerySingleOrDefaultAsync<CodeRow>(
            Db.Command(SelectCode, new { OrganizationId = organizationId, CodeHash = codeHash }, cancellationToken));
        return stored is null
            ? new CodeRedemption(CodeRedemptionStatus.NotFound, null)
            : new CodeRedemption(CodeRedemptionStatus.AlreadyRedeemed, stored.ToCode(organizationId));
    }

    private sealed class CodeRow
    {
        public byte[] CodeHash { get; init; } = [];

        public string GrantId { get; init; } = string.Empty;

        public string ClientId { get; init; } = string.Empty;

        public string RedirectUri { get; init; } = string.Empty;

        public string Subject { get; init; } = string.Empty;

        public string[] Scopes { get; init; } = [];

        public string? Nonce { get; init; }

        public string? CodeChallenge { get; init; }

        public string? CodeChallengeMethod { get; init; }

        public DateTime AuthTime { get; init; }

        public string? SessionId { get; init; }

        public string? Acr { get; init; }

        public string[] Amr { get; init; } = [];

        public DateTime IssuedAt { get; init; }

        public DateTime ExpiresAt { get; init; }

        public bool IssueRefreshToken { get; init; }

        public AuthorizationCode ToCode(long organizationId) => new()
        {
            OrganizationId = organizationId,
            CodeHash = CodeHash,
            GrantId = GrantId,
            ClientId = ClientId,
            RedirectUri = RedirectUri,
            Subject = Subject,
            Scopes = Scopes,
            Nonce = Nonce,
            CodeChallenge = CodeChallenge,
            CodeChallengeMethod = CodeChallengeMethod,
            AuthTime = Db.FromUtc(AuthTime),
            SessionId = SessionId,
            Acr = Acr,
            Amr = Amr,
            IssuedAt = Db.FromUtc(IssuedAt),
            ExpiresAt = Db.FromUtc(ExpiresAt),
            IssueRefreshToken = IssueRefreshToken,
        };
    }
}
