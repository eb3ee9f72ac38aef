using Clavex.Server.Storage;

namespace Clavex.Server.Hosting;

/// <summary>
/// Deletes expired codes, sessions, grants and replay entries every few minutes, and audit events past the retention
/// (<see cref="ClavexSettings.AuditRetentionDays"/>), in small batches.
/// </summary>
public sealed partial class PurgeService(PgMaintenance maintenance, ClavexSettings settings, TimeProvider timeProvider, ILogger<PurgeService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                DateTimeOffset now = timeProvider.GetUtcNow();
                await maintenance.PurgeExpiredAsync(now, stoppingToken);
                if (settings.AuditRetentionDays is int days
                    && await maintenance.PurgeAuditEventsAsync(now - TimeSpan.FromDays(days), stoppingToken) is int purged and > 0)
                {
                    LogAuditPurged(logger, purged, days);
                }
            }
            catch (Npgsql.NpgsqlException exception)
            {
                LogFailed(logger, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} audit events older than {Days} days (CLAVEX_AUDIT_RETENTION_DAYS)")]
    private static partial void LogAuditPurged(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired rows failed: {Reason}; trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, string reason);
}
