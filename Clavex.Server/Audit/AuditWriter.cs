using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Audit;

/// <summary>
/// Drains the audit queue into PostgreSQL in batches (through <see cref="PgAuditEventStore"/>); on shutdown it writes what
/// is left before stopping.
/// </summary>
public sealed partial class AuditWriter(AuditLog log, PgAuditEventStore store, ILogger<AuditWriter> logger) : BackgroundService
{
    private volatile bool _stopping;

    private const int BatchSize = 500;

    /// <summary>How often a shutdown tries an unreachable database before giving the queued events up to the log.</summary>
    private const int ShutdownAttempts = 3;

    private const int MaxRetryDelaySeconds = 30;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEvent>(BatchSize);
        try
        {
            while (await log.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(batch, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write whatever is still queued.
        }

        await DrainAsync(batch, CancellationToken.None);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        log.Complete();
        await base.StopAsync(cancellationToken);
    }

    private async Task DrainAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        while (log.Reader.TryRead(out AuditEvent? item))
        {
            batch.Add(item);
            if (batch.Count == BatchSize)
            {
                await WriteAsync(batch, cancellationToken);
            }
        }

        if (batch.Count > 0)
        {
            await WriteAsync(batch, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the batch, whatever happens: while the database is unreachable it retries (the queue holds the events
    /// meanwhile; only during shutdown does it give up after a few tries); when the batch itself is refused (one event
    /// holds something PostgreSQL will not store) it writes the events one by one, so a bad event costs only itself.
    /// The writer never stops on an error: a stopped writer would lose every event after it.
    /// </summary>
    private async Task WriteAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await store.InsertAsync(batch, cancellationToken);
                batch.Clear();
                return;
            }
            catch (NpgsqlException exception) when (IsUnreachable(exception))
            {
                if (_stopping && attempt >= ShutdownAttempts)
                {
                    LogDropped(logger, batch.Count, exception.Message);
                    batch.Clear();
                    return;
                }

                LogRetry(logger, batch.Count, attempt, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, MaxRetryDelaySeconds)), CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSplitting(logger, batch.Count, exception.Message);
                foreach (AuditEvent item in batch)
                {
                    await WriteOneAsync(item, cancellationToken);
                }

                batch.Clear();
                return;
            }
        }
    }

    /// <summary>One event of a refused batch; if it is the refused one, its row is kept without the offending detail.</summary>
    private async Task WriteOneAsync(AuditEvent item, CancellationToken cancellationToken)
    {
        try
        {
            await store.InsertAsync([item], cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            AuditEvent bare = item with
            {
                ClientId = StorableText.Clean(item.ClientId),
                Subject = StorableText.Clean(item.Subject),
                UserAgent = StorableText.Clean(item.UserAgent),
                CorrelationId = StorableText.Clean(item.CorrelationId),
                Detail = new Dictionary<string, string?> { ["unwritable"] = exception.GetType().Name },
                JsonDetail = new Dictionary<string, byte[]>(),
            };
            try
            {
                await store.InsertAsync([bare], cancellationToken);
                LogStrippedDetail(logger, item.EventType, item.CorrelationId, exception.Message);
            }
            catch (Exception again) when (again is not OperationCanceledException)
            {
                LogDroppedOne(logger, item.EventType, item.CorrelationId, again.Message);
            }
        }
    }

    /// <summary>The database or the network is away, as opposed to a statement PostgreSQL refused.</summary>
    private static bool IsUnreachable(NpgsqlException exception) => exception is not PostgresException || exception.IsTransient;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} audit events failed (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetry(ILogger logger, int count, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutting down with the database unreachable: {Count} audit events were not written ({Reason}); they are in the log lines")]
    private static partial void LogDropped(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} audit events was refused ({Reason}); writing them one by one")]
    private static partial void LogSplitting(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit event {EventType} (correlation={CorrelationId}) was stored without its detail, which PostgreSQL refused: {Reason}")]
    private static partial void LogStrippedDetail(ILogger logger, string eventType, string? correlationId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit event {EventType} (correlation={CorrelationId}) could not be stored: {Reason}; it is in the log line")]
    private static partial void LogDroppedOne(ILogger logger, string eventType, string? correlationId, string reason);
}
