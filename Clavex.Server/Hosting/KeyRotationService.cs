using Clavex.Server.Storage;

namespace Clavex.Server.Hosting;

/// <summary>
/// Runs <see cref="KeyRotation.RunOnceAsync"/> every minute on every instance: promotions, retirements and scheduled
/// rotations happen within a minute of being due, and the row lock in each makes exactly one instance act.
/// </summary>
public sealed partial class KeyRotationService(KeyRotation rotation, TimeProvider timeProvider, ILogger<KeyRotationService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The clock may be a test's, which moves only when told; the interval is real time either way.
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await rotation.RunOnceAsync(timeProvider.GetUtcNow(), stoppingToken);
            }
            catch (Exception exception) when (exception is Npgsql.NpgsqlException or InvalidOperationException)
            {
                // A database outage or one organisation's unreadable row must not stop the rotations of the others for good.
                LogFailed(logger, exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing-key rotation failed: {Reason}; trying again in a minute")]
    private static partial void LogFailed(ILogger logger, string reason);
}
