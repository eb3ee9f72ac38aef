using Clavex.Server.Storage.Embedded;
using Clavex.Server.Storage.Migrations;
using Npgsql;

namespace Clavex.Server.Hosting;

/// <summary>
/// The command line: <c>start</c> runs against configured PostgreSQL; <c>start-dev</c> runs on a local cluster
/// under <c>./.clavex</c> with a seeded demo organisation. Both migrate first, under an advisory lock.
/// </summary>
public static class ClavexCommand
{
    public const string Usage = """
        Usage:
          Clavex.Server start-dev [--urls http://127.0.0.1:5080]   run locally with an embedded PostgreSQL and demo data
          Clavex.Server start [--urls ...]                        run in production (configuration: see README)
          Clavex.Server rotate-master-key                         re-encrypt every sealed value with CLAVEX_MASTER_KEY
                                                                  (the old key in CLAVEX_OTHER_MASTER_KEYS; docs/operations.md)
          Clavex.Server audit-export --organization acme [--since 2026-01-01] [--until 2026-07-01]
                                                                  write the organisation's audit events as JSON lines
          Clavex.Server grant-console-admin --organization acme --username alice
                                                                  make alice an admin of acme (adds her to clavex-admins,
                                                                  creating the group if needed), so she can open the console
          Clavex.Server --version                                 print the version
          Clavex.Server --help                                    print this
        """;

    /// <summary>The informational version of the build (e.g. <c>1.0.0+ce12a1d…</c>, with the commit).</summary>
    public static string Version { get; } =
        typeof(ClavexCommand).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute attribute, ..] ? attribute.InformationalVersion : "unknown";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Asking for help or the version never starts anything, wherever the flag stands.
        if (args.Any(a => a is "help" or "--help" or "-h" or "-?"))
        {
            return Print(Usage, 0);
        }

        if (args.Any(a => a is "--version" or "version"))
        {
            return Print("Clavex " + Version, 0);
        }

        string command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "start";
        string[] rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        try
        {
            return command switch
            {
                "start" => await StartAsync(rest),
                "start-dev" => await DevEnvironment.RunAsync(rest),
                "rotate-master-key" => await RotateMasterKeyAsync(rest),
                "audit-export" => await ExportAuditAsync(rest),
                "grant-console-admin" => await GrantConsoleAdminAsync(rest),
                _ => Print($"Unknown command '{command}'.\n{Usage}", 2),
            };
        }
        catch (ConfigurationException exception)
        {
            return Print("Clavex cannot start: " + exception.Message, 1);
        }
        catch (LocalPostgresException exception)
        {
            return Print("Clavex cannot start: " + exception.Message, 1);
        }
        catch (NpgsqlException exception)
        {
            return Print("Clavex cannot start: PostgreSQL is unreachable or refused the connection (" + exception.Message + ").", 1);
        }
    }

    private static async Task<int> StartAsync(string[] args)
    {
        IConfigurationRoot configuration = Configuration(args);
        ClavexSettings settings = ClavexSettings.Load(configuration);
        await MigrateAsync(settings.ConnectionString);
        WebApplication app = ClavexApp.Build(settings, args);
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// The last step of a master-key rotation: every sealed value moved to CLAVEX_MASTER_KEY. Exit code 1 when some
    /// value opened with none of the configured keys (it is left as it was, and the count says how many).
    /// </summary>
    private static async Task<int> RotateMasterKeyAsync(string[] args)
    {
        IConfigurationRoot configuration = Configuration(args);
        ClavexSettings settings = ClavexSettings.Load(configuration);
        await MigrateAsync(settings.ConnectionString);
        await using NpgsqlDataSource dataSource = Storage.PgDataSource.Create(settings.ConnectionString);
        var rotation = new Storage.MasterKeyRotation(dataSource, new Storage.KeyEncryption(settings.MasterKey, settings.OtherMasterKeys));
        Storage.MasterKeyRotationResult result = await rotation.RunAsync(CancellationToken.None);
        Console.WriteLine(
            $"Re-encrypted {result.SigningKeys} signing keys and {result.TotpSecrets} authenticator-app secrets with the master key; "
            + $"{result.AlreadyCurrent} were already under it.");
        if (result.Unopenable > 0)
        {
            return Print($"{result.Unopenable} sealed values open with none of the configured keys (CLAVEX_MASTER_KEY, CLAVEX_OTHER_MASTER_KEYS); they are unchanged.", 1);
        }

        return 0;
    }

    /// <summary>
    /// The organisation's audit events, oldest first, one JSON object per line on standard output (the admin API's
    /// event shape), for archiving before the retention purge deletes them.
    /// </summary>
    private static async Task<int> ExportAuditAsync(string[] args)
    {
        IConfigurationRoot configuration = Configuration(args);
        string? slug = configuration["organization"];
        if (string.IsNullOrEmpty(slug))
        {
            return Print("audit-export needs --organization <slug>.", 2);
        }

        (DateTimeOffset? since, DateTimeOffset? until) = (ReadTime(configuration, "since"), ReadTime(configuration, "until"));
        ClavexSettings settings = ClavexSettings.Load(configuration);
        // Without the statement timeout: an export streams for as long as the events and the reader take.
        await using NpgsqlDataSource dataSource = Storage.PgDataSource.Create(settings.ConnectionString, serverTimeouts: false);
        Storage.OrganizationRecord? organization = await new Storage.PgOrganizationStore(dataSource).FindBySlugAsync(slug, CancellationToken.None);
        if (organization is null)
        {
            return Print($"There is no organisation '{slug}'.", 1);
        }

        await using Stream output = Console.OpenStandardOutput();
        int count = 0;
        await foreach (Storage.AuditEventRecord record in new Storage.PgAuditEventStore(dataSource).ExportAsync(organization.Id, since, until, CancellationToken.None))
        {
            await using (var writer = new System.Text.Json.Utf8JsonWriter(output))
            {
                Admin.AuditEventsApi.WriteEvent(writer, record);
            }

            output.WriteByte((byte)'\n');
            count++;
        }

        Console.Error.WriteLine($"Exported {count} audit events of organisation '{slug}'.");
        return 0;
    }

    /// <summary>
    /// The operator's bootstrap of an organisation's first admin (anyone holding the server's configuration may do this,
    /// as with the admin token): the user joins <c>clavex-admins</c>, made if missing, audited as
    /// <c>admin.group.member_added</c> by the actor <c>admin</c>. Later admins are added in the console or the API.
    /// </summary>
    private static async Task<int> GrantConsoleAdminAsync(string[] args)
    {
        IConfigurationRoot configuration = Configuration(args);
        (string? slug, string? username) = (configuration["organization"], configuration["username"]);
        if (string.IsNullOrEmpty(slug) || string.IsNullOrEmpty(username))
        {
            return Print("grant-console-admin needs --organization <slug> and --username <username>.", 2);
        }

        ClavexSettings settings = ClavexSettings.Load(configuration);
        await MigrateAsync(settings.ConnectionString);
        await using NpgsqlDataSource dataSource = Storage.PgDataSource.Create(settings.ConnectionString);
        Storage.OrganizationRecord? organization = await new Storage.PgOrganizationStore(dataSource).FindBySlugAsync(slug, CancellationToken.None);
        if (organization is null)
        {
            return Print($"There is no organisation '{slug}'.", 1);
        }

        string? subject = await new Storage.PgAuditEventStore(dataSource).FindSubjectAsync(organization.Id, username, CancellationToken.None);
        if (subject is null)
        {
            return Print($"Organisation '{slug}' has no user '{username}'; create the user first (admin API, POST …/users).", 1);
        }

        // Audited as the API audits the same changes (actor admin, the after summary), and by which command.
        const string Group = Admin.OrganizationAdminTokens.AdminGroup;
        var groups = new Storage.PgGroupStore(dataSource);
        var events = new List<Storage.AuditEvent>();
        if (await groups.FindAsync(organization.Id, Group, CancellationToken.None) is null && await groups.CreateAsync(organization.Id, Group, CancellationToken.None) is not null)
        {
            events.Add(CommandEvent(organization.Id, "admin.group.created", null, System.Text.Encoding.UTF8.GetBytes($$"""{"name":"{{Group}}"}""")));
        }

        await groups.AddMemberAsync(organization.Id, Group, subject, CancellationToken.None);
        events.Add(CommandEvent(organization.Id, "admin.group.member_added", subject, System.Text.Encoding.UTF8.GetBytes($$"""{"group":"{{Group}}"}""")));
        await new Storage.PgAuditEventStore(dataSource).InsertAsync(events, CancellationToken.None);
        Console.WriteLine($"{username} is an admin of '{slug}': the console is at {settings.IssuerFor(slug)}/admin");
        return 0;
    }

    private static Storage.AuditEvent CommandEvent(long organizationId, string eventType, string? subject, byte[] after) => new()
    {
        OrganizationId = organizationId,
        OccurredAt = DateTimeOffset.UtcNow,
        EventType = eventType,
        Outcome = "success",
        Subject = subject,
        Detail = new Dictionary<string, string?> { ["actor"] = Admin.AdminAuthentication.Actor, ["via"] = "grant-console-admin" },
        JsonDetail = new Dictionary<string, byte[]> { ["after"] = after },
    };

    private static DateTimeOffset? ReadTime(IConfiguration configuration, string name)
    {
        string? text = configuration[name];
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
            ? at
            : throw new ConfigurationException($"--{name} must be a date or time, e.g. 2026-01-01 or 2026-01-01T00:00:00Z; '{text}' is not.");
    }

    /// <summary>What every command reads: appsettings.json, then CLAVEX_* variables, then the command line.</summary>
    internal static IConfigurationRoot Configuration(string[] args) => new ConfigurationBuilder()
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args)
        .Build();

    /// <summary>Applies db/migrations under the advisory lock, so instances starting together are safe.</summary>
    public static async Task MigrateAsync(string connectionString)
    {
        // Unpooled: the runner changes its session's settings, which must not reach a pooled connection.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await new MigrationRunner(MigrationFiles.Locate()).ApplyAsync(connection);
    }

    private static int Print(string message, int exitCode)
    {
        (exitCode == 0 ? Console.Out : Console.Error).WriteLine(message);
        return exitCode;
    }
}
