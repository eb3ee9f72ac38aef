using System.Net;
using System.Text;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Clavex.Server.Storage;

/// <summary>Which audit events of one organisation a page holds; a null member does not filter.</summary>
public sealed record AuditEventFilter
{
    public string? EventType { get; init; }

    /// <summary>Event types starting with this (e.g. <c>login.</c>); not with <see cref="EventType"/>.</summary>
    public string? EventTypePrefix { get; init; }

    public string? Subject { get; init; }

    public string? ClientId { get; init; }

    /// <summary>The request's correlation id, as its response header and error page showed it.</summary>
    public string? CorrelationId { get; init; }

    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public string? Outcome { get; init; }

    /// <summary>Inclusive.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Exclusive.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>The last event of the previous page: this page starts after it, newest first.</summary>
    public (DateTimeOffset OccurredAt, long Id)? After { get; init; }
}

/// <summary>One stored audit event as the admin API returns it; <see cref="Detail"/> is its JSON object as text.</summary>
public sealed record AuditEventRecord(
    long Id, DateTimeOffset OccurredAt, string EventType, string Outcome, string? ClientId, string? Subject, string? Ip,
    string? UserAgent, string? CorrelationId, string? Detail);

/// <summary>
/// The audit log's table. Writes: a batch of the audit writer, or events inside a caller's transaction for changes
/// whose event must commit with them (key rotation); both send the one statement <c>Insert</c>.
/// <para>
/// Reads, for the admin API: newest first and keyset-paged on (occurred_at, id). The query is put together only from
/// the constant clauses below, one per filter given; every value is a parameter. Each clause matches an index of
/// <c>0005_audit_query.sql</c> (the correlation id one of <c>0006_audit_correlation.sql</c>).
/// </para>
/// </summary>
public sealed class PgAuditEventStore(NpgsqlDataSource dataSource)
{
    // One row per element of the parallel arrays: a batch of any size is one round trip.
    private const string Insert = """
        INSERT INTO audit_events (organization_id, occurred_at, event_type, outcome, client_id, subject, ip, user_agent, correlation_id, detail)
        SELECT * FROM unnest(@organization_ids, @occurred_ats, @event_types, @outcomes, @client_ids, @subjects, @ips, @user_agents, @correlation_ids, @details)
        """;

    private const string Select = """
        SELECT id, occurred_at, event_type, outcome, client_id, subject, host(ip) AS ip, user_agent, correlation_id, detail::text AS detail
        FROM audit_events
        WHERE organization_id = @OrganizationId
        """;

    private const string Export = Select + """

          AND (@Since::timestamptz IS NULL OR occurred_at >= @Since) AND (@Until::timestamptz IS NULL OR occurred_at < @Until)
        ORDER BY occurred_at, id
        """;

    // "C" collation, as the index: a prefix is then the byte range [prefix, prefix with its last character + 1).
    private const string ByEventType = """

          AND event_type COLLATE "C" = @EventType
        """;

    private const string ByEventTypePrefix = """

          AND event_type COLLATE "C" >= @EventTypeFrom AND event_type COLLATE "C" < @EventTypeTo
        """;

    private const string BySubject = """

          AND subject = @Subject
        """;

    private const string ByClient = """

          AND client_id = @ClientId
        """;

    private const string ByCorrelation = """

          AND correlation_id = @CorrelationId
        """;

    private const string ByOutcome = """

          AND outcome = @Outcome
        """;

    // A constant, so the planner can use the partial index on failures (0016) even for a prepared statement.
    private const string ByFailure = """

          AND outcome = 'failure'
        """;

    private const string BySince = """

          AND occurred_at >= @Since
        """;

    private const string ByUntil = """

          AND occurred_at < @Until
        """;

    private const string ByCursor = """

          AND (occurred_at, id) < (@AfterOccurredAt, @AfterId)
        """;

    private const string OrderAndLimit = """

        ORDER BY occurred_at DESC, id DESC
        LIMIT @Limit
        """;

    // users_username_unique is on lower(username).
    private const string SelectSubjectByUsername = """
        SELECT subject FROM users WHERE organization_id = @OrganizationId AND lower(username) = lower(@Username)
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <summary>Stores the events in one statement.</summary>
    public async Task InsertAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = _dataSource.CreateCommand(Insert);
        AddInsertParameters(command, events);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stores the events in the caller's transaction, so they commit or roll back with its change.</summary>
    public static async Task InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Insert, connection, transaction);
        AddInsertParameters(command, events);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddInsertParameters(NpgsqlCommand command, IReadOnlyList<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        command.Parameters.Add(new NpgsqlParameter<long?[]>("organization_ids", [.. events.Select(e => e.OrganizationId)]));
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("occurred_ats", [.. events.Select(e => e.OccurredAt.UtcDateTime)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("event_types", [.. events.Select(e => e.EventType)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("outcomes", [.. events.Select(e => e.Outcome)]));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("client_ids", [.. events.Select(e => e.ClientId)]));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("subjects", [.. events.Select(e => e.Subject)]));
        command.Parameters.Add(new NpgsqlParameter("ips", NpgsqlDbType.Array | NpgsqlDbType.Inet) { Value = events.Select(e => e.Ip is null ? null : IPAddress.Parse(e.Ip)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("user_agents", [.. events.Select(e => e.UserAgent)]));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("correlation_ids", [.. events.Select(e => e.CorrelationId)]));
        command.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = events.Select(e => e.DetailJson()).ToArray() });
    }

    /// <summary>The SQL for <paramref name="filter"/>: the constant clauses of the filters given, in a fixed order.</summary>
    internal static string Sql(AuditEventFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = new StringBuilder(Select);
        if (filter.EventType is not null)
        {
            sql.Append(ByEventType);
        }

        if (filter.EventTypePrefix is not null)
        {
            sql.Append(ByEventTypePrefix);
        }

        if (filter.Subject is not null)
        {
            sql.Append(BySubject);
        }

        if (filter.ClientId is not null)
        {
            sql.Append(ByClient);
        }

        if (filter.CorrelationId is not null)
        {
            sql.Append(ByCorrelation);
        }

        if (filter.Outcome is not null)
        {
            sql.Append(filter.Outcome == "failure" ? ByFailure : ByOutcome);
        }

        if (filter.Since is not null)
        {
            sql.Append(BySince);
        }

        if (filter.Until is not null)
        {
            sql.Append(ByUntil);
        }

        if (filter.After is not null)
        {
            sql.Append(ByCursor);
        }

        return sql.Append(OrderAndLimit).ToString();
    }

    /// <summary>Values for <see cref="Sql"/>; Dapper sends only those the SQL names.</summary>
    internal static DynamicParameters Parameters(long organizationId, AuditEventFilter filter, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        string? prefix = filter.EventTypePrefix;
        return new DynamicParameters(new
        {
            OrganizationId = organizationId,
            filter.EventType,
            EventTypeFrom = prefix,
            EventTypeTo = prefix is null ? null : prefix[..^1] + (char)(prefix[^1] + 1),
            filter.Subject,
            filter.ClientId,
            filter.CorrelationId,
            filter.Outcome,
            Since = Db.Utc(filter.Since),
            Until = Db.Utc(filter.Until),
            AfterOccurredAt = Db.Utc(filter.After?.OccurredAt),
            AfterId = filter.After?.Id,
            Limit = limit,
        });
    }

    /// <summary>At most <paramref name="limit"/> events of the organisation matching <paramref name="filter"/>, newest first.</summary>
    public async Task<IReadOnlyList<AuditEventRecord>> ListAsync(long organizationId, AuditEventFilter filter, int limit, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<Row> rows = await connection.QueryAsync<Row>(Db.Command(Sql(filter), Parameters(organizationId, filter, limit), cancellationToken));
        var events = new List<AuditEventRecord>();
        foreach (Row row in rows)
        {
            events.Add(new AuditEventRecord(
                row.Id, Db.FromUtc(row.OccurredAt), row.EventType, row.Outcome, row.ClientId, row.Subject, row.Ip, row.UserAgent, row.CorrelationId, row.Detail));
        }

        return events;
    }

    /// <summary>
    /// Every event of the organisation from <paramref name="since"/> (inclusive) to <paramref name="until"/>
    /// (exclusive), oldest first, streamed from the database as they are read (an export can be large).
    /// </summary>
    public async IAsyncEnumerable<AuditEventRecord> ExportAsync(
        long organizationId, DateTimeOffset? since, DateTimeOffset? until, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = new { OrganizationId = organizationId, Since = Db.Utc(since), Until = Db.Utc(until) };
        await foreach (Row row in connection.QueryUnbufferedAsync<Row>(Export, parameters).WithCancellation(cancellationToken))
        {
            yield return new AuditEventRecord(
                row.Id, Db.FromUtc(row.OccurredAt), row.EventType, row.Outcome, row.ClientId, row.Subject, row.Ip, row.UserAgent, row.CorrelationId, row.Detail);
        }
    }

    /// <summary>The subject of the user with that username (any case), or null.</summary>
    public async Task<string?> FindSubjectAsync(long organizationId, string username, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            Db.Command(SelectSubjectByUsername, new { OrganizationId = organizationId, Username = username }, cancellationToken));
    }

    private sealed class Row
    {
        public long Id { get; init; }

        public DateTime OccurredAt { get; init; }

        public string EventType { get; init; } = string.Empty;

        public string Outcome { get; init; } = string.Empty;

        public string? ClientId { get; init; }

        public string? Subject { get; init; }

        public string? Ip { get; init; }

        public string? UserAgent { get; init; }

        public string? CorrelationId { get; init; }

        public string? Detail { get; init; }
    }
}
