using Clavex.Server.Storage;

namespace Clavex.Server.Hosting;

/// <summary>Deletes expired codes, sessions, grants and replay entries every few minutes, in small batches.</summary>
public sealed partial class PurgeService(PgMaintenance maintenance, TimeProvider timeProvider, ILogger<PurgeService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await maintenance.PurgeExpiredAsync(timeProvider.GetUtcNow(), stoppingToken);
            }
            catch (Npgsql.NpgsqlException exception)
            {
                LogFailed(logger, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired rows failed: {Reason}; trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, string reason);
}
