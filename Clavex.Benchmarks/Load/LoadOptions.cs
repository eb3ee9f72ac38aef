using System.Globalization;

namespace Clavex.Benchmarks.Load;

/// <summary>The command line of <c>load</c>; <see cref="Usage"/> says what each option means.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        dotnet run -c Release --project Clavex.Benchmarks -- load <scenario> [options]

        Scenarios: code (authorize with a session and PKCE, then token), refresh (rotating refresh tokens),
                   cc (client_credentials), userinfo, introspect, login (the password form: Argon2id),
                   mixed (code, refresh, cc and userinfo in turn: the soak)
        Options:
          --url URL            Clavex's base URL, loopback only (default http://127.0.0.1:8080)
          --admin-token TOKEN  the admin token (default: $CLAVEX_ADMIN_TOKEN)
          --concurrency N      concurrent keep-alive workers (default 16)
          --sweep 1,4,16,64    run once per concurrency instead, and draw throughput and p99 against it
          --duration S         seconds measured per run (default 20), after --warmup S (default 3)
          --floor              also measure the raw RS256 signing rate in this process, for the same time
          --out PREFIX         write PREFIX.json, PREFIX.md and (with --sweep) PREFIX.svg
          --flood KIND         beside the scenario, flood from another address (X-Forwarded-For 203.0.113.66; start
                               Clavex with CLAVEX_KNOWN_PROXIES=127.0.0.1): bad-password (password spraying at the
                               login form, with the organisation's default sign-in limits) or bad-secret (wrong
                               client secrets at the token endpoint) or healthz (GET /healthz: what any request costs)
          --flood-concurrency N  flood workers (default 16)
          --flood-rate R       pace the flood to R requests/s in all (default: as fast as Clavex answers)
          --interval S         also print (and report) every S seconds: rate, p99, and Clavex's working set and GC
                               heap read from its /metrics
          --metrics-url URL    where /metrics is (default: URL/metrics)
        """;

    public required string Scenario { get; init; }

    public Uri Url { get; init; } = new("http://127.0.0.1:8080");

    public string AdminToken { get; init; } = string.Empty;

    public IReadOnlyList<int> Concurrency { get; init; } = [16];

    public bool Sweep { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public bool Floor { get; init; }

    public string? Out { get; init; }

    public string? Flood { get; init; }

    public int FloodConcurrency { get; init; } = 16;

    public int? FloodRate { get; init; }

    public TimeSpan? Interval { get; init; }

    public Uri? MetricsUrl { get; init; }

    public static readonly string[] Scenarios = ["code", "refresh", "cc", "userinfo", "introspect", "login", "mixed"];

    /// <summary>The options, or the message that says what is wrong with them.</summary>
    public static (LoadOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || !Scenarios.Contains(args[0]))
        {
            return (null, $"Name a scenario: {string.Join(", ", Scenarios)}.");
        }

        var options = new LoadOptions { Scenario = args[0], AdminToken = Environment.GetEnvironmentVariable("CLAVEX_ADMIN_TOKEN") ?? string.Empty };
        for (int i = 1; i < args.Count; i++)
        {
            string name = args[i];
            if (name == "--floor")
            {
                options = options with { Floor = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                return (null, $"{name} needs a value.");
            }

            string value = args[++i];
            try
            {
                options = name switch
                {
                    "--url" => options with { Url = new Uri(value, UriKind.Absolute) },
                    "--admin-token" => options with { AdminToken = value },
                    "--concurrency" => options with { Concurrency = [Positive(value)] },
                    "--sweep" => options with { Concurrency = [.. value.Split(',').Select(Positive)], Sweep = true },
                    "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(value)) },
                    "--warmup" => options with { Warmup = TimeSpan.FromSeconds(int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture)) },
                    "--out" => options with { Out = value },
                    "--flood" => FloodWorker.Kinds.Contains(value) ? options with { Flood = value } : throw new FormatException($"is not one of {string.Join(", ", FloodWorker.Kinds)}"),
                    "--flood-concurrency" => options with { FloodConcurrency = Positive(value) },
                    "--flood-rate" => options with { FloodRate = Positive(value) },
                    "--interval" => options with { Interval = TimeSpan.FromSeconds(Positive(value)) },
                    "--metrics-url" => options with { MetricsUrl = new Uri(value, UriKind.Absolute) },
                    _ => throw new FormatException($"Unknown option {name}."),
                };
            }
            catch (FormatException e)
            {
                return (null, e.Message.StartsWith("Unknown", StringComparison.Ordinal) ? e.Message : $"{name} {value}: {e.Message}");
            }
            catch (OverflowException)
            {
                return (null, $"{name} {value} is out of range.");
            }
        }

        // A load generator pointed at someone else's server is an attack tool: loopback only.
        if (!options.Url.IsLoopback || options.MetricsUrl is { IsLoopback: false })
        {
            return (null, $"{options.Url} is not a loopback address; the load tool only drives a Clavex on this machine.");
        }

        return options.AdminToken.Length == 0
            ? (null, "The admin token is needed to set up the bench organisation: --admin-token or CLAVEX_ADMIN_TOKEN.")
            : (options, null);
    }

    private static int Positive(string value)
    {
        int number = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        return number > 0 ? number : throw new FormatException("must be at least 1");
    }
}
