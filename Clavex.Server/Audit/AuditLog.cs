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
    /// <summary>Events the queue holds: about 100 s of a busy instance's events while PostgreSQL is away.</summary>
    public const int DefaultCapacity = 100_000;

    /// <summary>How long a request waits for room in a full queue before its event goes to the log only.</summary>
    public static readonly TimeSpan DefaultFullQueueWait = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AuditLog> _logger;
    private readonly Channel<AuditEvent> _queue;
    private readonly TimeSpan _fullQueueWait;
    private long _lastFullWarning = long.MinValue;
    private long _unqueued;

    // Set when a wait for room ran out (the writer is stuck, not just behind); while the queue stays full, events then
    // go to the log only without each request waiting again. Cleared by the next event that finds room.
    private volatile bool _overflowing;

    public AuditLog(TimeProvider timeProvider, ILogger<AuditLog> logger)
        : this(timeProvider, logger, DefaultCapacity, DefaultFullQueueWait)
    {
    }

    internal AuditLog(TimeProvider timeProvider, ILogger<AuditLog> logger, int capacity, TimeSpan fullQueueWait)
    {
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _fullQueueWait = fullQueueWait;

        // A full queue means PostgreSQL is away or not keeping up. A request then waits a moment for room (so a
        // writer that is merely behind slows the requests down to its pace), and after that its event goes to the
        // log only, as do the events after it until there is room again: a long outage must not turn every request
        // into one that hangs, nor into one that waits.
        _queue = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        AuditMetrics.Register(_queue.Reader);
    }

    /// <summary>Events that found the queue full for longer than the wait and are in the log only.</summary>
    internal long Unqueued => Interlocked.Read(ref _unqueued);

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
        if (_queue.Writer.TryWrite(auditEvent))
        {
            _overflowing = false;
        }
        else if (_overflowing)
        {
            Unqueue();
        }
        else
        {
            WaitForRoom(auditEvent);
        }
    }

    private void WaitForRoom(AuditEvent auditEvent)
    {
        using var timeout = new CancellationTokenSource(_fullQueueWait, _timeProvider);
        try
        {
            _queue.Writer.WriteAsync(auditEvent, timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Shutting down and the writer has finished: the event is in the log line above, not in the table.
            LogAfterShutdown(_logger, auditEvent.EventType, auditEvent.CorrelationId);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            _overflowing = true;
            Unqueue();
        }
    }

    // The event is in the log line Record wrote; count it, and warn once per interval.
    private void Unqueue()
    {
        long unqueued = Interlocked.Increment(ref _unqueued);
        AuditMetrics.Unqueued();
        long now = _timeProvider.GetTimestamp();
        long last = Interlocked.Read(ref _lastFullWarning);
        if ((last == long.MinValue || _timeProvider.GetElapsedTime(last, now) >= OutageLogInterval)
            && Interlocked.CompareExchange(ref _lastFullWarning, now, last) == last)
        {
            LogQueueFull(_logger, _queue.Reader.Count, _fullQueueWait.TotalSeconds, unqueued);
        }
    }

    // As the outage log: one line per interval, however many events find the queue full.
    private static readonly TimeSpan OutageLogInterval = TimeSpan.FromSeconds(10);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit queue is full ({Depth} events; PostgreSQL is away or not keeping up): events that found no room within {WaitSeconds} s are in the log only, {Unqueued} so far")]
    private static partial void LogQueueFull(ILogger logger, int depth, double waitSeconds, long unqueued);

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
