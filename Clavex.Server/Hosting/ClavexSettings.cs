namespace Clavex.Server.Hosting;

/// <summary>
/// Clavex's configuration, read from <c>appsettings.json</c> (section <c>Clavex</c>) or <c>CLAVEX_*</c> environment
/// variables, which win. Validated once at start; a missing or invalid value stops start-up with one clear line.
/// </summary>
public sealed record ClavexSettings
{
    /// <summary>The public URL the issuers derive from: <c>https://id.acme.eu</c> → issuer <c>https://id.acme.eu/acme</c>.</summary>
    public required Uri PublicBaseUrl { get; init; }

    public required string ConnectionString { get; init; }

    /// <summary>32 bytes that encrypt the signing keys at rest (AES-GCM).</summary>
    public required byte[] MasterKey { get; init; }

    /// <summary>
    /// CLAVEX_OTHER_MASTER_KEYS: more master keys, comma-separated, that open sealed values but never seal new ones;
    /// for a master-key rotation without downtime (docs/operations.md).
    /// </summary>
    public IReadOnlyList<byte[]> OtherMasterKeys { get; init; } = [];

    /// <summary>CLAVEX_AUDIT_RETENTION_DAYS: audit events older than this are purged; null (0 in configuration) keeps them all.</summary>
    public int? AuditRetentionDays { get; init; } = DefaultAuditRetentionDays;

    public const int DefaultAuditRetentionDays = 400;

    /// <summary>Bearer token of the admin API; compared in constant time.</summary>
    public required string AdminToken { get; init; }

    /// <summary>
    /// <c>CLAVEX_METRICS_PORT</c>: a port of its own for <c>/metrics</c>, on every interface, for the operators'
    /// Prometheus. Null: <c>/metrics</c> answers only requests from this machine (loopback) on the main port.
    /// </summary>
    public int? MetricsPort { get; init; }

    /// <summary>
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, OpenTelemetry's own variable: the collector traces are sent to
    /// (<see cref="ClavexTracing"/>). Null: no tracing.
    /// </summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>Proxies whose <c>X-Forwarded-*</c> headers are trusted; none by default.</summary>
    public IReadOnlyList<System.Net.IPAddress> KnownProxies { get; init; } = [];

    /// <summary>
    /// Whether this instance runs the periodic sweeps over every organisation: signing-key rotation and the purge of
    /// expired rows. On by default; tests turn it off, because a sweep uses the instance's clock and a test that moves
    /// its clock by months would otherwise rotate or purge the rows of every other test sharing the database.
    /// </summary>
    public bool RunBackgroundSweeps { get; init; } = true;

    /// <summary>Plain-http loopback development: session cookies without <c>Secure</c>.</summary>
    public bool AllowInsecureCookies => PublicBaseUrl.Scheme == Uri.UriSchemeHttp && PublicBaseUrl.IsLoopback;

    public string IssuerFor(string slug) => PublicBaseUrl.AbsoluteUri.TrimEnd('/') + "/" + slug;

    private static int? ReadAuditRetentionDays(IConfiguration configuration)
    {
        string? text = Read(configuration, "AuditRetentionDays");
        if (text is null)
        {
            return DefaultAuditRetentionDays;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int days) || days > 36500)
        {
            throw new ConfigurationException("CLAVEX_AUDIT_RETENTION_DAYS must be a whole number of days, 0 (keep every event) to 36500.");
        }

        return days == 0 ? null : days;
    }

    /// <summary><c>CLAVEX_KNOWN_PROXIES</c>: comma-separated addresses whose <c>X-Forwarded-*</c> headers are trusted.</summary>
    public static IReadOnlyList<System.Net.IPAddress> ReadKnownProxies(IConfiguration configuration)
    {
        var proxies = new List<System.Net.IPAddress>();
        foreach (string item in (Read(configuration, "KnownProxies") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!System.Net.IPAddress.TryParse(item, out System.Net.IPAddress? address))
            {
                throw new ConfigurationException($"CLAVEX_KNOWN_PROXIES contains '{item}', which is not an IP address.");
            }

            proxies.Add(address);
        }

        return proxies;
    }

    /// <summary><c>CLAVEX_METRICS_PORT</c>, checked; null when unset.</summary>
    public static int? ReadMetricsPort(IConfiguration configuration) =>
        Read(configuration, "MetricsPort") is not string port ? null
        : int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number) && number is > 0 and < 65536
            ? number
            : throw new ConfigurationException($"CLAVEX_METRICS_PORT '{port}' is not a TCP port (1 to 65535).");

    /// <summary><c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (OpenTelemetry's name, not CLAVEX_'s), checked; null when unset.</summary>
    public static Uri? ReadOtlpEndpoint(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not { Length: > 0 } otlp)
        {
            return null;
        }

        return Uri.TryCreate(otlp, UriKind.Absolute, out Uri? parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
            ? parsed
            : throw new ConfigurationException($"OTEL_EXPORTER_OTLP_ENDPOINT '{otlp}' is not an http or https URL (e.g. http://otel-collector:4317).");
    }

    public static string? Read(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // CLAVEX_PUBLIC_BASE_URL beats Clavex:PublicBaseUrl.
        string environmentName = "CLAVEX_" + string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
        string? value = Environment.GetEnvironmentVariable(environmentName);
        return string.IsNullOrWhiteSpace(value) ? configuration["Clavex:" + name] : value;
    }

    /// <summary>Reads and validates the settings; the exception message is the one line printed at start-up.</summary>
    public static ClavexSettings Load(IConfiguration configuration)
    {
        string? baseUrl = Read(configuration, "PublicBaseUrl");
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            throw new ConfigurationException("CLAVEX_PUBLIC_BASE_URL (or Clavex:PublicBaseUrl) is not set: the public URL of Clavex, e.g. https://id.acme.eu.");
        }

        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? publicBaseUrl)
            || (publicBaseUrl.Scheme != Uri.UriSchemeHttps && !(publicBaseUrl.Scheme == Uri.UriSchemeHttp && publicBaseUrl.IsLoopback))
            || publicBaseUrl.Query.Length > 0 || publicBaseUrl.Fragment.Length > 0)
        {
            throw new ConfigurationException($"CLAVEX_PUBLIC_BASE_URL '{baseUrl}' is not an https URL without query or fragment (plain http is allowed only on loopback).");
        }

        string connectionString = Read(configuration, "ConnectionString")
            ?? throw new ConfigurationException("CLAVEX_CONNECTION_STRING (or Clavex:ConnectionString) is not set: an Npgsql connection string to PostgreSQL.");
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            // Npgsql names the keyword it does not know; the value itself may hold a password, so it is not repeated.
            throw new ConfigurationException(
                $"CLAVEX_CONNECTION_STRING (or Clavex:ConnectionString) is not an Npgsql connection string (Host=…;Database=…;Username=…): {e.Message.Split('\n')[0].Trim()}");
        }

        string masterKeyText = Read(configuration, "MasterKey")
            ?? throw new ConfigurationException("CLAVEX_MASTER_KEY (or Clavex:MasterKey) is not set: 32 random bytes in base64, e.g. from `openssl rand -base64 32`.");
        byte[] masterKey;
        try
        {
            masterKey = Convert.FromBase64String(masterKeyText);
        }
        catch (FormatException)
        {
            throw new ConfigurationException("CLAVEX_MASTER_KEY is not valid base64.");
        }

        if (masterKey.Length != 32)
        {
            throw new ConfigurationException($"CLAVEX_MASTER_KEY must be 32 bytes; it is {masterKey.Length}.");
        }

        var otherMasterKeys = new List<byte[]>();
        foreach (string text in (Read(configuration, "OtherMasterKeys") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                key = [];
            }

            if (key.Length != 32)
            {
                throw new ConfigurationException(
                    $"CLAVEX_OTHER_MASTER_KEYS must be master keys (32 bytes in base64) separated by commas; entry {otherMasterKeys.Count + 1} is not.");
            }

            otherMasterKeys.Add(key);
        }

        string adminToken = Read(configuration, "AdminToken")
            ?? throw new ConfigurationException("CLAVEX_ADMIN_TOKEN (or Clavex:AdminToken) is not set: the bearer token of the admin API.");
        if (adminToken.Length < 32)
        {
            throw new ConfigurationException("CLAVEX_ADMIN_TOKEN must be at least 32 characters.");
        }

        return new ClavexSettings
        {
            MetricsPort = ReadMetricsPort(configuration),
            OtlpEndpoint = ReadOtlpEndpoint(configuration),
            PublicBaseUrl = publicBaseUrl,
            ConnectionString = connectionString,
            MasterKey = masterKey,
            OtherMasterKeys = otherMasterKeys,
            AuditRetentionDays = ReadAuditRetentionDays(configuration),
            AdminToken = adminToken,
            KnownProxies = ReadKnownProxies(configuration),
        };
    }
}

/// <summary>Configuration that stops start-up; its message is printed as is.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
