using System.Globalization;

namespace Clavex.Benchmarks.Load;

/// <summary>The command line of <c>load</c>; <see cref="Usage"/> says what each option means.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        dotnet run -c Release --project Clavex.Benchmarks -- load <scenario> [options]

        Scenarios: code (authorize with a session and PKCE, then token), refresh (rotating refresh tokens),
                   cc (client_credentials), userinfo, introspect, login (the password form: Argon2id)
        Options:
          --url URL            Clavex's base URL, loopback only (default http://127.0.0.1:8080)
          --admin-token TOKEN  the admin token (default: $CLAVEX_ADMIN_TOKEN)
          --concurrency N      concurrent keep-alive workers (default 16)
          --sweep 1,4,16,64    run once per concurrency instead, and draw throughput and p99 against it
          --duration S         seconds measured per run (default 20), after --warmup S (default 3)
          --floor              also measure the raw RS256 signing rate in this process, for the same time
          --out PREFIX         write PREFIX.json, PREFIX.md and (with --sweep) PREFIX.svg
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

    public static readonly string[] Scenarios = ["code", "refresh", "cc", "userinfo", "introspect", "login"];

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
        if (!options.Url.IsLoopback)
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
