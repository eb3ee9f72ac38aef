using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// The pool every store shares, tuned for the token hot path unless the connection string says otherwise:
/// <list type="bullet">
/// <item><c>No Reset On Close</c>: a connection going back to the pool is not sent <c>DISCARD ALL</c> (a round trip
/// per database call, and it throws away the prepared statements). Safe by construction: no statement on a pooled
/// connection changes session state. Settings are <c>SET LOCAL</c> inside a transaction, the advisory lock of the
/// migrations and the LISTEN of the cache listener live on connections of their own, and Npgsql rolls back an
/// unfinished transaction before a connection is reused.</item>
/// <item><c>Max Auto Prepare</c>: statements run at least twice are prepared server-side, so PostgreSQL parses and
/// plans each of the few dozen statements Clavex runs once per connection, not once per request.</item>
/// <item>Fail fast (issue 16): <c>Timeout</c> (connecting) 5 s instead of 15 and <c>Command Timeout</c> 15 s instead of
/// 30, so a frozen or unreachable PostgreSQL turns into a quick 503 rather than requests that hang; <c>Max Pool Size</c>
/// 50 instead of 100, PostgreSQL's default <c>max_connections</c>, so one instance cannot take every slot (size it to
/// max_connections divided among the instances, less what migrations, backups and psql need).</item>
/// </list>
/// </summary>
public static class PgDataSource
{
    public const int MaxAutoPrepare = 64;

    public const int ConnectTimeoutSeconds = 5;

    public const int CommandTimeoutSeconds = 15;

    public const int MaxPoolSize = 50;

    public static NpgsqlDataSource Create(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        NpgsqlConnectionStringBuilder settings = builder.ConnectionStringBuilder;
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(given, "No Reset On Close"))
        {
            settings.NoResetOnClose = true;
        }

        if (!Mentions(given, "Max Auto Prepare"))
        {
            settings.MaxAutoPrepare = MaxAutoPrepare;
            settings.AutoPrepareMinUsages = 2;
        }

        if (!Mentions(given, "Timeout"))
        {
            settings.Timeout = ConnectTimeoutSeconds;
        }

        if (!Mentions(given, "Command Timeout"))
        {
            settings.CommandTimeout = CommandTimeoutSeconds;
        }

        if (!Mentions(given, "Max Pool Size"))
        {
            settings.MaxPoolSize = MaxPoolSize;
        }

        return builder.Build();
    }

    // An operator's explicit choice wins, including turning either off.
    private static bool Mentions(NpgsqlConnectionStringBuilder given, string keyword) => given.ShouldSerialize(keyword);
}
