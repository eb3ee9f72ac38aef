using System.Collections.Concurrent;

namespace Clavex.Server.Storage;

/// <summary>
/// Remembers when each client secret was last used and writes it once a minute, so the admin API can show which secret
/// Jira and Confluence still use during a rotation, without a database write on every token request.
/// </summary>
public sealed partial class SecretUsage(PgClientStore clients, TimeProvider timeProvider, ILogger<SecretUsage> logger) : BackgroundService
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(long OrganizationId, string ClientId, string SecretId), DateTimeOffset> _pending = new();

    public void Record(long organizationId, string clientId, string secretId) =>
        _pending[(organizationId, clientId, secretId)] = timeProvider.GetUtcNow();

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out DateTimeOffset usedAt))
            {
                await clients.TouchSecretAsync(key.OrganizationId, key.ClientId, key.SecretId, usedAt, cancellationToken);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryFlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is pending below.
        }

        await TryFlushAsync(CancellationToken.None);
    }

    private async Task TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Npgsql.NpgsqlException exception)
        {
            LogFailed(logger, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording client secret use failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
