using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Keeps this instance's caches (organisations, clients, signing keys) consistent with changes made on any instance:
/// one dedicated connection runs <c>LISTEN clavex_cache</c> and drops the entry each <see cref="CacheChanges"/>
/// notification names, within milliseconds of the change committing. Whenever the connection is (re)established every
/// cache is cleared, because notifications sent while no connection listened are lost; and every
/// <see cref="RefreshInterval"/> every cache is cleared anyway, so a missed signal (a change written by hand in SQL, a
/// connection that died silently) is stale for at most that long.
/// <para>
/// <c>connectionString</c> is the database's, with its password: the listener opens its own connection
/// rather than borrow one from the pooled data source.
/// </para>
/// </summary>
public sealed partial class CacheChangeListener(
    string connectionString,
    OrganizationDirectory organizations,
    CachingClientStore clients,
    PgSigningKeyStore keys,
    TimeProvider timeProvider,
    ILogger<CacheChangeListener> logger) : BackgroundService
{
    /// <summary>The longest any cached organisation, client or key is served without being read again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(60);

    /// <summary>The listener's <c>application_name</c>, so operators can find its connection in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "clavex-cache-listener";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    // Pooling off: the connection lives as long as the listener, and a broken one must never go back to a pool.
    // Npgsql's keepalive makes WaitAsync notice a connection that died without a word.
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
    {
        ApplicationName = ApplicationName,
        Pooling = false,
        KeepAlive = 15,
    }.ConnectionString;

    private int _processId;
    private long _clearCount;

    /// <summary>The PostgreSQL backend process id of the listening connection; 0 while not listening.</summary>
    internal int ListeningProcessId => Volatile.Read(ref _processId);

    /// <summary>Applies one notification payload; one that cannot be read clears everything rather than guess.</summary>
    internal void Apply(string payload)
    {
        if (!CacheChange.TryParse(payload, out CacheChange change))
        {
            LogUnreadable(logger, payload);
            ClearAll();
            return;
        }

        switch (change.Kind)
        {
            case CacheChangeKind.Organization:
                organizations.Invalidate(change.Key);
                break;
            case CacheChangeKind.Client:
                clients.Invalidate(change.OrganizationId, change.Key);
                break;
            case CacheChangeKind.SigningKeys:
                keys.Invalidate(change.OrganizationId);
                break;
        }
    }

    /// <summary>How many times every cache was cleared (reconnects, unreadable payloads, the periodic refresh).</summary>
    internal long ClearCount => Interlocked.Read(ref _clearCount);

    internal void ClearAll()
    {
        Interlocked.Increment(ref _clearCount);
        organizations.Clear();
        clients.Clear();
        keys.InvalidateAll();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task refresh = RefreshPeriodicallyAsync(stoppingToken);
        await ListenAsync(stoppingToken);
        await refresh;
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        int failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, e) => Apply(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand("LISTEN " + CacheChanges.Channel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Listening first, then clearing: a change committed before LISTEN is read afresh, and one after is signalled.
                ClearAll();
                Volatile.Write(ref _processId, connection.ProcessID);
                if (failures > 0)
                {
                    LogReconnected(logger, failures);
                }

                failures = 0;
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (NpgsqlException exception)
            {
                Volatile.Write(ref _processId, 0);
                TimeSpan delay = RetryDelay(failures++);
                LogDisconnected(logger, exception.Message, delay.TotalSeconds);
                if (delay > TimeSpan.Zero && !await DelayAsync(delay, stoppingToken))
                {
                    break;
                }
            }
        }

        Volatile.Write(ref _processId, 0);
    }

    /// <summary>No wait before the first retry (a restarted backend is usually back at once), then doubling to 30 s.</summary>
    internal static TimeSpan RetryDelay(int failures) =>
        failures == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(failures - 1, 16)));

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, timeProvider, stoppingToken);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task RefreshPeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                ClearAll();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cache listener lost its database connection: {Reason}; reconnecting in {DelaySeconds} s, then clearing every cache")]
    private static partial void LogDisconnected(ILogger logger, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cache listener is listening again after {Failures} failed attempt(s); every cache was cleared")]
    private static partial void LogReconnected(ILogger logger, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cache listener received the unreadable payload '{Payload}'; every cache was cleared")]
    private static partial void LogUnreadable(ILogger logger, string payload);
}
