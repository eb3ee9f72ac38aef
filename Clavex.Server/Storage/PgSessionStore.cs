using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Provider sessions, found by the hash of the browser's secret, with whether their user is enabled read in the same
/// query (so authorize needs no second lookup). Expired rows stay until the purge.
/// </summary>
public sealed class PgSessionStore(NpgsqlDataSource dataSource) : ISessionStore
{
    private const string Insert = """
        INSERT INTO sessions (organization_id, secret_hash, id, subject, auth_time, amr, acr, second_factor_pending, expires_at)
        VALUES (@OrganizationId, @SecretHash, @Id, @Subject, @AuthTime, @Amr, @Acr, @SecondFactorPending, @ExpiresAt)
        """;

    private const string SelectBySecret = """
        SELECT s.id, s.subject, s.auth_time, s.amr, s.acr, s.second_factor_pending, s.expires_at, coalesce(u.enabled, false) AS user_enabled
        FROM sessions s
        LEFT JOIN users u ON u.organization_id = s.organization_id AND u.subject = s.subject
        WHERE s.organization_id = @OrganizationId AND s.secret_hash = @SecretHash AND s.expires_at > @Now
        """;

    private const string Delete = """
        DELETE FROM sessions WHERE organization_id = @OrganizationId AND id = @Id
        """;

    private const string DeleteAllForSubject = """
        DELETE FROM sessions WHERE organization_id = @OrganizationId AND subject = @Subject
        """;

    private const string RecordDevice = """
        UPDATE sessions SET user_agent = left(@UserAgent, 512), client_ip = @ClientIp, last_seen_at = @Now
        WHERE organization_id = @OrganizationId AND id = @Id
        """;

    private const string ListForSubject = """
        SELECT id, auth_time, amr, created_at, expires_at, user_agent, client_ip, coalesce(last_seen_at, created_at) AS last_seen_at
        FROM sessions
        WHERE organization_id = @OrganizationId AND subject = @Subject AND expires_at > @Now AND NOT second_factor_pending
        ORDER BY coalesce(last_seen_at, created_at) DESC, id
        LIMIT 100
        """;

    private const string DeleteForSubject = """
        DELETE FROM sessions WHERE organization_id = @OrganizationId AND subject = @Subject AND id = @Id
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <summary>Records where a session is used from (the account page lists it); the user agent is cut to 512 characters.</summary>
    public async Task RecordDeviceAsync(long organizationId, string sessionId, string? userAgent, string? clientIp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(RecordDevice, new
        {
            OrganizationId = organizationId, Id = sessionId, UserAgent = userAgent, ClientIp = clientIp, Now = Db.Utc(now),
        }, cancellationToken));
    }

    /// <summary>The user's live sessions that passed every factor they needed, most recently seen first (at most 100).</summary>
    public async Task<IReadOnlyList<SessionInfo>> ListForSubjectAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<ListedSessionRow> rows = await connection.QueryAsync<ListedSessionRow>(Db.Command(
            ListForSubject, new { OrganizationId = organizationId, Subject = subject, Now = Db.Utc(now) }, cancellationToken));
        var sessions = new List<SessionInfo>();
        foreach (ListedSessionRow row in rows)
        {
            sessions.Add(new SessionInfo(row.Id, Db.FromUtc(row.AuthTime), row.Amr, Db.FromUtc(row.CreatedAt), Db.FromUtc(row.ExpiresAt), row.UserAgent, row.ClientIp,
                Db.FromUtc(row.LastSeenAt)));
        }

        return sessions;
    }

    /// <summary>Ends one of the user's sessions; false when the user has no session with that id.</summary>
    public async Task<bool> DeleteForSubjectAsync(long organizationId, string subject, string sessionId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(
            DeleteForSubject, new { OrganizationId = organizationId, Subject = subject, Id = sessionId }, cancellationToken)) == 1;
    }

    /// <summary>Stores the session. Ids and secrets are random, so a taken one is a caller's bug: a <see cref="PostgresException"/>.</summary>
    public async Task CreateAsync(AuthenticationSession session, byte[] secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(secretHash);
        var parameters = new
        {
            session.OrganizationId,
            SecretHash = secretHash,
            session.Id,
            session.Subject,
            AuthTime = Db.Utc(session.AuthTime),
            Amr = session.Amr.ToArray(),
            session.Acr,
            session.SecondFactorPending,
            ExpiresAt = Db.Utc(session.ExpiresAt),
        };
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(Insert, parameters, cancellationToken));
    }

    public async Task<AuthenticationSession?> FindBySecretAsync(long organizationId, byte[] secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secretHash);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        SessionRow? row = await connection.QuerySingleOrDefaultAsync<SessionRow>(Db.Command(
            SelectBySecret, new { OrganizationId = organizationId, SecretHash = secretHash, Now = Db.Utc(now) }, cancellationToken));
        return row is null
            ? null
            : new AuthenticationSession
            {
                OrganizationId = organizationId,
                Id = row.Id,
                Subject = row.Subject,
                AuthTime = Db.FromUtc(row.AuthTime),
                Amr = row.Amr,
                Acr = row.Acr,
                SecondFactorPending = row.SecondFactorPending,
                UserEnabled = row.UserEnabled,
                ExpiresAt = Db.FromUtc(row.ExpiresAt),
            };
    }

    public async Task DeleteAsync(long organizationId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(Delete, new { OrganizationId = organizationId, Id = sessionId }, cancellationToken));
    }

    public async Task<int> DeleteAllForSubjectAsync(long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(DeleteAllForSubject, new { OrganizationId = organizationId, Subject = subject }, cancellationToken));
    }

    private sealed class SessionRow
    {
        public string Id { get; init; } = string.Empty;

        public string Subject { get; init; } = string.Empty;

        public DateTime AuthTime { get; init; }

        public string[] Amr { get; init; } = [];

        public string? Acr { get; init; }

        public bool SecondFactorPending { get; init; }

        public bool UserEnabled { get; init; }

        public DateTime ExpiresAt { get; init; }
    }

    private sealed class ListedSessionRow
    {
        public string Id { get; init; } = string.Empty;

        public DateTime AuthTime { get; init; }

        public string[] Amr { get; init; } = [];

        public DateTime CreatedAt { get; init; }

        public DateTime ExpiresAt { get; init; }

        public string? UserAgent { get; init; }

        public string? ClientIp { get; init; }

        public DateTime LastSeenAt { get; init; }
    }
}

/// <summary>A session as the account page lists it.</summary>
public sealed record SessionInfo(
    string Id, DateTimeOffset AuthTime, IReadOnlyList<string> Amr, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? UserAgent, string? ClientIp,
    DateTimeOffset LastSeenAt);
