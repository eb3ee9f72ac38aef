using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Clavex.Benchmarks.Load;

/// <summary>
/// <c>load seed</c>: fills a running Clavex's database the way a large deployment's would be, to measure how cost
/// grows (issue 12): an organisation of its own, made through the admin API, with <c>--users</c> users and
/// <c>--grants</c> live grants, each with a refresh token, inserted by PostgreSQL itself (<c>generate_series</c>, in
/// batches of 100,000, then <c>ANALYZE</c>). The rows share the tables and indexes every other organisation uses,
/// which is what a load run against another organisation then pays for.
/// </summary>
internal static class SeedCommand
{
    public const string Usage = """
        load seed --database "Host=127.0.0.1;Port=…;Username=postgres;Database=clavex" [--url http://127.0.0.1:8080] [--grants 1000000] [--users 100000]
          CLAVEX_ADMIN_TOKEN must be the server's admin token; the database is the server's (start-dev: the port in .clavex/dev.json).
        """;

    private const int Batch = 100_000;

    private const string InsertUsers = """
        INSERT INTO users (organization_id, subject, username, name, email, email_verified, password_hash)
        SELECT @Organization, 'seed_' || i, 'seed-user-' || i, 'Seed User ' || i, 'seed-user-' || i || '@seed.test', true, NULL
        FROM generate_series(@From, @To) AS i
        """;

    private const string InsertGrants = """
        INSERT INTO grants (organization_id, grant_id, client_id, subject, scopes, auth_time, session_id, amr, created_at, expires_at)
        SELECT @Organization, 'g_seed_' || i, 'seed-client', 'seed_' || (1 + i % @Users), '{openid,profile,offline_access}', now(), NULL, '{pwd}',
               now(), now() + interval '30 days'
        FROM generate_series(@From, @To) AS i
        """;

    private const string InsertRefreshTokens = """
        INSERT INTO refresh_tokens (organization_id, token_hash, grant_id, created_at, expires_at)
        SELECT @Organization, sha256(convert_to('seed-refresh-' || @Salt || '-' || i, 'UTF8')), 'g_seed_' || i, now(), now() + interval '8 hours'
        FROM generate_series(@From, @To) AS i
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string? database = Option(args, "--database");
        Uri url = new(Option(args, "--url") ?? "http://127.0.0.1:8080");
        string? adminToken = Environment.GetEnvironmentVariable("CLAVEX_ADMIN_TOKEN");
        if (database is null || adminToken is null || !url.IsLoopback
            || !int.TryParse(Option(args, "--grants") ?? "1000000", out int grants) || !int.TryParse(Option(args, "--users") ?? "100000", out int users)
            || grants < 1 || users < 1)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        string slug = "seed" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using (var admin = new HttpClient { BaseAddress = url })
        {
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            using var body = new StringContent($$"""{"slug":"{{slug}}","display_name":"Seeded {{slug}}"}""", Encoding.UTF8, "application/json");
            HttpResponseMessage created = await admin.PostAsync(new Uri("/api/v1/organizations", UriKind.Relative), body);
            if (!created.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"Creating organisation {slug} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
                return 1;
            }
        }

        await using NpgsqlDataSource data = NpgsqlDataSource.Create(database);
        await using NpgsqlCommand find = data.CreateCommand("SELECT id FROM organizations WHERE slug = $1");
        find.Parameters.Add(new NpgsqlParameter { Value = slug });
        long organization = (long)(await find.ExecuteScalarAsync())!;
        Stopwatch clock = Stopwatch.StartNew();
        await InBatchesAsync(data, InsertUsers, organization, users, users, string.Empty);
        Console.WriteLine($"{users:N0} users in {clock.Elapsed.TotalSeconds:0.0} s");
        await InBatchesAsync(data, InsertGrants, organization, grants, users, string.Empty);
        Console.WriteLine($"{grants:N0} grants in {clock.Elapsed.TotalSeconds:0.0} s");
        await InBatchesAsync(data, InsertRefreshTokens, organization, grants, users, slug);
        Console.WriteLine($"{grants:N0} refresh tokens in {clock.Elapsed.TotalSeconds:0.0} s");
        await using (NpgsqlCommand analyze = data.CreateCommand("ANALYZE users; ANALYZE grants; ANALYZE refresh_tokens"))
        {
            analyze.CommandTimeout = 600;
            await analyze.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"Organisation {slug} seeded in {clock.Elapsed.TotalSeconds:0.0} s.");
        return 0;
    }

    private static async Task InBatchesAsync(NpgsqlDataSource data, string sql, long organization, int count, int users, string salt)
    {
        for (int from = 1; from <= count; from += Batch)
        {
            await using NpgsqlCommand insert = data.CreateCommand(sql);
            insert.CommandTimeout = 600;
            insert.Parameters.Add(new NpgsqlParameter("Organization", organization));
            insert.Parameters.Add(new NpgsqlParameter("From", from));
            insert.Parameters.Add(new NpgsqlParameter("To", Math.Min(count, from + Batch - 1)));
            if (sql.Contains("@Users", StringComparison.Ordinal))
            {
                insert.Parameters.Add(new NpgsqlParameter("Users", users));
            }

            if (sql.Contains("@Salt", StringComparison.Ordinal))
            {
                insert.Parameters.Add(new NpgsqlParameter("Salt", salt));
            }

            await insert.ExecuteNonQueryAsync();
        }
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
