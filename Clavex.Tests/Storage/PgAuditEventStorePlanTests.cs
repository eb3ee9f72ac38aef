using Clavex.Server.Storage;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>
/// Each audit query filter is answered from an index of 0005_audit_query.sql (0016 for failures): with 20,000 events in ten
/// organisations, no plan reads the table sequentially or sorts the organisation's events (issue 6).
/// </summary>
public class PgAuditEventStorePlanTests
{
    private static long s_organizationId;

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync();
        string prefix = "p" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        long[] ids = [.. await connection.QueryAsync<long>(
            "INSERT INTO organizations (slug, display_name) SELECT @Prefix || g, 'Plan' FROM generate_series(0, 9) g RETURNING id", new { Prefix = prefix })];
        s_organizationId = ids[3];
        // 2,000 events per organisation over ten days: 12 types, 200 subjects, 8 clients, one in five a failure.
        await connection.ExecuteAsync("""
            INSERT INTO audit_events (organization_id, occurred_at, event_type, outcome, client_id, subject, ip, detail)
            SELECT o, timestamptz '2026-01-01' + g * interval '7 minutes',
                   (ARRAY['login.failed','login.succeeded','token.issued','token.failed','token.revoked','authorize.code_issued',
                          'authorize.failed','consent.given','logout','userinfo.failed','admin.user.created','admin.client.updated'])[1 + g % 12],
                   CASE WHEN g % 5 = 0 THEN 'failure' ELSE 'success' END,
                   CASE WHEN g % 3 = 0 THEN NULL ELSE 'client' || g % 8 END,
                   CASE WHEN g % 4 = 0 THEN NULL ELSE 'u_' || g % 200 END,
                   '192.0.2.1', '{}'
            FROM unnest(@Ids) o, generate_series(1, 2000) g
            """, new { Ids = ids });
        await connection.ExecuteAsync("ANALYZE audit_events");
    }

    [TestCase("exact type")]
    [TestCase("type prefix")]
    [TestCase("subject")]
    [TestCase("client")]
    [TestCase("failures")]
    [TestCase("successes")]
    [TestCase("time range")]
    [TestCase("next page")]
    [TestCase("everything")]
    public async Task The_filter_reads_an_index_in_page_order(string name)
    {
        AuditEventFilter filter = name switch
        {
            "exact type" => new() { EventType = "login.failed" },
            "type prefix" => new() { EventTypePrefix = "login." },
            "subject" => new() { Subject = "u_17" },
            "client" => new() { ClientId = "client5" },
            "failures" => new() { Outcome = "failure" },
            "successes" => new() { Outcome = "success" },
            "time range" => new() { Since = new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero), Until = new DateTimeOffset(2026, 1, 4, 0, 0, 0, TimeSpan.Zero) },
            "next page" => new() { EventType = "token.issued", After = (new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), long.MaxValue) },
            _ => new(),
        };

        string plan = await PlanAsync(filter);

        TestContext.Out.WriteLine(plan);
        Assert.That(plan, Does.Match("Index Scan (using|on) audit_events_organization_"));
        Assert.That(plan, Does.Not.Contain("Seq Scan"));
        if (name != "type prefix")
        {
            // A prefix covers several types, whose rows are merged by time; every other filter is one range in order.
            Assert.That(plan, Does.Not.Contain("Sort"));
        }
    }

    private static async Task<string> PlanAsync(AuditEventFilter filter)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync();
        IEnumerable<string> lines = await connection.QueryAsync<string>(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + PgAuditEventStore.Sql(filter), PgAuditEventStore.Parameters(s_organizationId, filter, 51));
        return string.Join("\n", lines);
    }
}
