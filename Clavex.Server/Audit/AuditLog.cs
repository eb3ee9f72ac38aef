using System.Threading.Channels;
using Clavex.Core.Protocol;
using Clavex.Core.Token;
using Clavex.Server.Storage;

namespace Clavex.Server.Audit;

/// <summary>
/// Records an audit event at every decision without putting a database round trip on the request: events go into a
/// bounded in-memory queue that <see cref="AuditWriter"/> drains in batches, and drains completely on shutdown.
/// The same event is written to the structured log with the request's correlation id.
/// </summary>
public sealed partial class AuditLog
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AuditLog> _logger;

    public AuditLog(TimeProvider timeProvider, ILogger<AuditLog> logger)
    {
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        AuditMetrics.Register(_queue.Reader);
    }

    private readonly Channel<AuditEvent> _queue = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(100_000)
    {
        // A full queue means the database is down for long; block the writers rather than lose events silently.
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public ChannelReader<AuditEvent> Reader => _queue.Reader;

    public void Complete() => _queue.Writer.TryComplete();

    public void Record(HttpContext context, Organization? organization, string eventType, bool success, string? clientId, string? subject, params (string Key, string? Value)[] detail) =>
        Record(AuditOrigin.Of(context), organization, eventType, success, clientId, subject, null, detail);

    /// <summary>
    /// Records a change with <paramref name="before"/> and <paramref name="after"/> as nested JSON documents (null:
    /// there was none), e.g. an admin change: they must hold no secret.
    /// </summary>
    public void RecordChange(HttpContext context, Organization? organization, string eventType, string? clientId, string? subject, string actor, byte[]? before, byte[]? after)
    {
        var json = new Dictionary<string, byte[]>(2, StringComparer.Ordinal)
        {
            ["before"] = before ?? "null"u8.ToArray(),
            ["after"] = after ?? "null"u8.ToArray(),
        };
        Record(AuditOrigin.Of(context), organization, eventType, true, clientId, subject, json, [("actor", actor)]);
    }

    private void Record(
        AuditOrigin origin, Organization? organization, string eventType, bool success, string? clientId, string? subject,
        Dictionary<string, byte[]>? jsonDetail, (string Key, string? Value)[] detail)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var details = new Dictionary<string, string?>(detail.Length, StringComparer.Ordinal);
        foreach (var (key, value) in detail)
        {
            details[key] = StorableText.Clean(value);
        }

        var auditEvent = new AuditEvent
        {
            OrganizationId = organization?.Id,
            OccurredAt = _timeProvider.GetUtcNow(),
            EventType = eventType,
            Outcome = success ? "success" : "failure",
            ClientId = StorableText.Clean(clientId),
            Subject = StorableText.Clean(subject),
            Ip = origin.Ip,
            UserAgent = StorableText.Clean(origin.UserAgent),
            CorrelationId = StorableText.Clean(origin.CorrelationId),
            Detail = details,
            JsonDetail = jsonDetail ?? [],
        };
        details.TryGetValue("error", out string? error);
        details.TryGetValue("reason", out string? reason);
        LogEvent(_logger, eventType, auditEvent.Outcome, organization?.Slug, clientId, subject, auditEvent.CorrelationId, error, reason);
        AuditMetrics.Observe(organization?.Slug, eventType, success, clientId, details);
        if (!_queue.Writer.TryWrite(auditEvent))
        {
            try
            {
                _queue.Writer.WriteAsync(auditEvent).AsTask().GetAwaiter().GetResult();
            }
            catch (ChannelClosedException)
            {
                // Shutting down and the writer has finished: the event is in the log line above, not in the table.
                LogAfterShutdown(_logger, eventType, auditEvent.CorrelationId);
            }
        }
    }

    public void TokenRequest(HttpContext context, Organization organization, TokenResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsSuccess)
        {
            Record(context, organization, "token.issued", true, result.ClientId, result.Subject,
                ("grant_type", result.GrantType), ("scope", result.Value.Scope), ("grant_id", result.GrantId));
        }
        else
        {
            Record(context, organization, "token.failed", false, result.ClientId, result.Subject,
                ("grant_type", result.GrantType), ("error", result.Error.ErrorName), ("reason", result.Error.Detail ?? result.Error.Description), ("grant_id", result.GrantId));
        }
    }

    public void Revocation(HttpContext context, Organization organization, RevocationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Record(context, organization, "token.revoked", result.IsSuccess, result.ClientId, null,
            ("grant_id", result.GrantId), ("error", result.Error?.ErrorName), ("reason", result.Error?.Detail));
    }


    [LoggerMessage(Level = LogLevel.Warning, Message = "audit {EventType} (correlation={CorrelationId}) came after the audit writer stopped; it is in the log only")]
    private static partial void LogAfterShutdown(ILogger logger, string eventType, string? correlationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "audit {EventType} {Outcome} org={Organization} client={ClientId} sub={Subject} correlation={CorrelationId} error={Error} reason={Reason}")]
    private static partial void LogEvent(ILogger logger, string eventType, string outcome, string? organization, string? clientId, string? subject, string? correlationId, string? error, string? reason);
}
