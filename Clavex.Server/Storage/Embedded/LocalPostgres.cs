using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Clavex.Server.Storage.Embedded;

/// <summary>
/// A PostgreSQL cluster in a local data directory, for development and tests: created on first start, listening
/// on 127.0.0.1 only, superuser <c>postgres</c> with trust authentication and no password.
/// </summary>
/// <param name="dataDirectory">The cluster; created with <c>initdb</c> unless it already is one.</param>
/// <param name="port">TCP port on 127.0.0.1; 0 picks a free one at each start.</param>
/// <param name="throwaway">
/// Turns off fsync, synchronous commit and full-page writes: fast, but a crash can corrupt the cluster, so only
/// for clusters deleted after use.
/// </param>
public sealed class LocalPostgres(string dataDirectory, int port = 0, bool throwaway = false) : IAsyncDisposable
{
    public const string Superuser = "postgres";

    /// <summary>The database <c>start-dev</c> keeps Clavex's data in.</summary>
    public const string ClavexDatabase = "clavex";

    private const string SelectClavexDatabase = "SELECT 1 FROM pg_database WHERE datname = 'clavex'";

    private const string CreateClavexDatabase = "CREATE DATABASE clavex";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly bool _pickPort = port == 0;

    private PostgresBinaries? _binaries;

    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);

    /// <summary>The configured port, or the one picked by the last start.</summary>
    public int Port { get; private set; } = port;

    public bool Throwaway { get; } = throwaway;

    /// <summary>Everything the server printed, appended across starts.</summary>
    public string LogFile => Path.Combine(DataDirectory, "server.log");

    public bool IsCluster => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    /// <summary>Whether the server's pid file exists; a server killed outright leaves it behind.</summary>
    public bool IsRunning => File.Exists(Path.Combine(DataDirectory, "postmaster.pid"));

    /// <summary>Whether <see cref="StartAsync"/> found this cluster still running, left by a process that was killed, and stopped it first.</summary>
    public bool StoppedLeftover { get; private set; }

    /// <summary>Connection string for the <c>postgres</c> database.</summary>
    public string ConnectionString => GetConnectionString("postgres");

    // PostgreSQL refuses to run as root; root runs the tools as the postgres user instead.
    private static string? RunAsUser => Environment.IsPrivilegedProcess ? "postgres" : null;

    public string GetConnectionString(string database)
    {
        if (Port == 0)
        {
            throw new InvalidOperationException("The port is picked at start; start the cluster first.");
        }

        return new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = Port,
            Username = Superuser,
            Database = database,
        }.ConnectionString;
    }

    /// <summary>Creates the <c>clavex</c> database if the cluster has none yet and returns its connection string.</summary>
    public async Task<string> EnsureClavexDatabaseAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand(SelectClavexDatabase, connection);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand(CreateClavexDatabase, connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return GetConnectionString(ClavexDatabase);
    }

    /// <summary>Creates the cluster if needed, starts it and returns once it accepts connections.</summary>
    /// <exception cref="LocalPostgresException">With the output of the tool or server that failed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _binaries ??= await PostgresBinaries.FindAsync(cancellationToken);
        await PrepareDirectoryAsync(cancellationToken);
        if (!IsCluster)
        {
            await InitDbAsync(_binaries, cancellationToken);
        }
        else if (IsRunning && await IsServerRunningAsync(_binaries, cancellationToken))
        {
            // The Clavex that started it was killed (SIGKILL, a crash) before it could stop it: stop it cleanly and
            // start afresh, with this start's port and settings. A stale pid file of a dead server PostgreSQL handles itself.
            await StopAsync(cancellationToken);
            StoppedLeftover = true;
        }

        // A picked port can be taken by someone else before the server binds it; pick again.
        long logStart;
        for (var attempt = 1; ; attempt++)
        {
            if (_pickPort)
            {
                Port = PickFreePort();
            }

            logStart = LogLength();
            var started = await RunPgCtlAsync(_binaries, StartArguments(), cancellationToken);
            if (started.Succeeded)
            {
                break;
            }

            var log = ReadLogFrom(logStart);
            if (!(_pickPort && attempt < 3 && log.Contains("Address already in use", StringComparison.Ordinal)))
            {
                throw Failure("pg_ctl start", started, log);
            }
        }

        await WaitUntilAcceptingConnectionsAsync(logStart, cancellationToken);
    }

    /// <summary>Stops the server, letting it finish cleanly; does nothing if it is not running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            return;
        }

        _binaries ??= await PostgresBinaries.FindAsync(cancellationToken);
        var stopped = await RunPgCtlAsync(_binaries, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "-s"], cancellationToken);
        if (!stopped.Succeeded)
        {
            throw Failure("pg_ctl stop", stopped, log: "");
        }
    }

    /// <summary>
    /// Best-effort immediate stop for crash paths such as process exit: no clean shutdown, never throws.
    /// </summary>
    public void Abort()
    {
        if (!IsRunning)
        {
            return;
        }

        try
        {
            _binaries ??= PostgresBinaries.FindAsync().GetAwaiter().GetResult();
            RunPgCtlAsync(_binaries, ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "10", "-s"], CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (LocalPostgresException)
        {
            // Nothing left to try on a crash path.
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task PrepareDirectoryAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataDirectory);
        if (RunAsUser is not { } user)
        {
            return;
        }

        if (!IsCluster)
        {
            var chown = await ExternalCommand.RunAsync("chown", [$"{user}:", DataDirectory], runAsUser: null, cancellationToken);
            if (!chown.Succeeded)
            {
                throw Failure($"chown of the data directory to {user}", chown, log: "");
            }
        }

        var reachable = await ExternalCommand.RunAsync("test", ["-w", DataDirectory], user, cancellationToken);
        if (!reachable.Succeeded)
        {
            throw new LocalPostgresException(
                $"PostgreSQL cannot run as root, so it runs as the {user} user, which cannot write to {DataDirectory}: " +
                $"a parent directory is probably not traversable by {user} (such as /root, mode 0700). " +
                $"Put the data directory somewhere {user} can reach. {reachable.Output}".TrimEnd());
        }
    }

    private async Task InitDbAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            "-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
        ];
        if (Throwaway)
        {
            arguments.Add("--no-sync");
        }

        var result = await ExternalCommand.RunAsync(binaries.InitDb, arguments, RunAsUser, cancellationToken);
        if (!result.Succeeded)
        {
            throw Failure("initdb", result, log: "");
        }
    }

    private List<string> StartArguments()
    {
        // No Unix socket: its path must stay under ~100 bytes, which deep temp directories break; TCP on
        // 127.0.0.1 is all clients use. pg_ctl passes -o through /bin/sh, hence the quoted empty value.
        var options = string.Create(
            CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories=''");
        if (Throwaway)
        {
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }

        return ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "30", "-s", "-o", options];
    }

    /// <summary><c>pg_ctl status</c>: exit code 0 when a server runs on the data directory (3 when none does).</summary>
    private async Task<bool> IsServerRunningAsync(PostgresBinaries binaries, CancellationToken cancellationToken) =>
        (await RunPgCtlAsync(binaries, ["status", "-D", DataDirectory], cancellationToken)).ExitCode == 0;

    private static Task<ExternalCommand.Result> RunPgCtlAsync(
        PostgresBinaries binaries, List<string> arguments, CancellationToken cancellationToken) =>
        ExternalCommand.RunAsync(binaries.PgCtl, arguments, RunAsUser, cancellationToken);

    // pg_ctl -w already saw the server report ready; a real connection proves it is ours and reachable over TCP.
    private async Task WaitUntilAcceptingConnectionsAsync(long logStart, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 5 }.ConnectionString;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (elapsed.Elapsed < ReadyTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
            catch (NpgsqlException e)
            {
                throw new LocalPostgresException(
                    $"PostgreSQL in {DataDirectory} did not accept connections on port {Port} within {ReadyTimeout.TotalSeconds:0} s: {e.Message}" +
                    LogSection(ReadLogFrom(logStart)),
                    e);
            }
        }
    }

    private long LogLength() => File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;

    private string ReadLogFrom(long offset)
    {
        if (!File.Exists(LogFile))
        {
            return "";
        }

        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().TrimEnd();
    }

    private LocalPostgresException Failure(string step, ExternalCommand.Result result, string log) =>
        new($"{step} failed (exit code {result.ExitCode}) for {DataDirectory}:{Environment.NewLine}{result.Output}{LogSection(log)}");

    private static string LogSection(string log) =>
        log.Length == 0 ? "" : $"{Environment.NewLine}Server log:{Environment.NewLine}{log}";

    private static int PickFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
