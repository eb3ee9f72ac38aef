using Npgsql;
using NpgsqlTypes;

namespace Clavex.Server.Audit;

/// <summary>Drains the audit queue into PostgreSQL in batches; on shutdown it writes what is left before stopping.</summary>
public sealed partial class AuditWriter(AuditLog log, NpgsqlDataSource dataSource, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int BatchSize = 500;

    private const string Insert = """
        INSERT INTO audit_events (organization_id, occurred_at, event_type, outcome, client_id, subject, ip, user_agent, correlation_id, detail)
        SELECT * FROM unnest(@organization_ids, @occurred_ats, @event_types, @outcomes, @client_ids, @subjects, @ips, @user_agents, @correlation_ids, @details)
        """;

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

    private async Task WriteAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using NpgsqlCommand command = dataSource.CreateCommand(Insert);
                command.Parameters.Add(new NpgsqlParameter<long?[]>("organization_ids", [.. batch.Select(e => e.OrganizationId)]));
                command.Parameters.Add(new NpgsqlParameter<DateTime[]>("occurred_ats", [.. batch.Select(e => e.OccurredAt.UtcDateTime)]));
                command.Parameters.Add(new NpgsqlParameter<string[]>("event_types", [.. batch.Select(e => e.EventType)]));
                command.Parameters.Add(new NpgsqlParameter<string[]>("outcomes", [.. batch.Select(e => e.Outcome)]));
                command.Parameters.Add(new NpgsqlParameter<string?[]>("client_ids", [.. batch.Select(e => e.ClientId)]));
                command.Parameters.Add(new NpgsqlParameter<string?[]>("subjects", [.. batch.Select(e => e.Subject)]));
                command.Parameters.Add(new NpgsqlParameter("ips", NpgsqlDbType.Array | NpgsqlDbType.Inet) { Value = batch.Select(e => e.Ip is null ? null : System.Net.IPAddress.Parse(e.Ip)).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string?[]>("user_agents", [.. batch.Select(e => e.UserAgent)]));
                command.Parameters.Add(new NpgsqlParameter<string?[]>("correlation_ids", [.. batch.Select(e => e.CorrelationId)]));
                command.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = batch.Select(e => e.DetailJson()).ToArray() });
                await command.ExecuteNonQueryAsync(cancellationToken);
                batch.Clear();
                return;
            }
            catch (NpgsqlException exception) when (attempt < 5)
            {
                LogRetry(logger, batch.Count, attempt, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt), CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} audit events failed (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetry(ILogger logger, int count, int attempt, string reason);
}
