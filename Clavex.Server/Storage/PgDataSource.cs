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
/// <item>Server-side limits (issue 16), sent as startup <c>Options</c> before any the connection string gives (so the
/// operator's win): <c>statement_timeout</c> 20 s, a backstop for a statement whose client gave up or died (Npgsql's
/// command timeout ends the wait on Clavex's side only); <c>lock_timeout</c> 5 s, so a request queued behind a row
/// lock held by a stuck transaction is answered 503 instead of waiting out the command timeout;
/// <c>idle_in_transaction_session_timeout</c> 30 s, so a frozen process cannot hold locks for ever. The migrations
/// (their advisory lock waits on purpose) and the audit export (it streams for as long as it takes) run without them.
/// Behind PgBouncer, which refuses an <c>options</c> startup parameter, list it in <c>ignore_startup_parameters</c> and
/// set the three on the role (<c>ALTER ROLE clavex SET …</c>).</item>
/// </list>
/// </summary>
public static class PgDataSource
{
    public const int MaxAutoPrepare = 64;

    public const int ConnectTimeoutSeconds = 5;

    public const int CommandTimeoutSeconds = 15;

    public const int MaxPoolSize = 50;

    public const int StatementTimeoutMilliseconds = 20_000;

    public const int LockTimeoutMilliseconds = 5_000;

    public const int IdleInTransactionTimeoutMilliseconds = 30_000;

    /// <summary>The startup options Clavex's own connections get ahead of the connection string's.</summary>
    public static readonly string ServerTimeouts = string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"-c statement_timeout={StatementTimeoutMilliseconds} -c lock_timeout={LockTimeoutMilliseconds} -c idle_in_transaction_session_timeout={IdleInTransactionTimeoutMilliseconds}");

    /// <summary>The pool; <paramref name="serverTimeouts"/> false for work that may run long on purpose (an export).</summary>
    public static NpgsqlDataSource Create(string connectionString, bool serverTimeouts = true)
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

        if (serverTimeouts)
        {
            // PostgreSQL applies -c options in order, so the connection string's own come last and win.
            settings.Options = string.IsNullOrWhiteSpace(given.Options) ? ServerTimeouts : ServerTimeouts + " " + given.Options;
        }

        return builder.Build();
    }

    // An operator's explicit choice wins, including turning either off.
    private static bool Mentions(NpgsqlConnectionStringBuilder given, string keyword) => given.ShouldSerialize(keyword);
}
