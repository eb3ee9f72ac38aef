using Clavex.Server.Hosting;
using Clavex.Server.Storage;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>
/// Issue 15: audit retention (CLAVEX_AUDIT_RETENTION_DAYS, purged by the sweep) and the export an operator runs
/// before it (<c>audit-export</c>), over their own database so the purge reaches no other test's events.
/// </summary>
public sealed class AuditRetentionTests
{
    private static readonly DateTimeOffset Old = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Middle = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Recent = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase() => _dataSource = await StorageFixture.CreateMigratedDatabaseAsync("retention");

    [OneTimeTearDown]
    public async Task DisposeDatabase() => await _dataSource.DisposeAsync();

    [Test]
    public async Task The_purge_deletes_only_events_older_than_the_cutoff_and_the_export_reads_a_window_oldest_first()
    {
        long organization = await new PgOrganizationStore(_dataSource).CreateAsync("retention", "Retention", CancellationToken.None);
        var store = new PgAuditEventStore(_dataSource);
        await store.InsertAsync(
        [
            Event(organization, Recent, "login.succeeded"), Event(organization, Old, "login.failed"), Event(organization, Middle, "token.issued"),
            Event(null, Old, "request.unknown_organization"),
        ], CancellationToken.None);

        int purged = await new PgMaintenance(_dataSource, batchSize: 1).PurgeAuditEventsAsync(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.That(purged, Is.EqualTo(2), "the organisation's 2020 event and the organisation-less one, in batches of one");
        Assert.That(await TypesAsync(store, organization, null, null), Is.EqualTo(new[] { "token.issued", "login.succeeded" }));
        Assert.That(await TypesAsync(store, organization, Middle, Recent), Is.EqualTo(new[] { "token.issued" }), "since inclusive, until exclusive");
    }

    [TestCase(null, ClavexSettings.DefaultAuditRetentionDays)]
    [TestCase("30", 30)]
    [TestCase("0", null)]
    public void The_retention_is_read_from_the_configuration(string? days, int? expected) =>
        Assert.That(ClavexSettings.Load(Configuration(days)).AuditRetentionDays, Is.EqualTo(expected));

    [TestCase("-1")]
    [TestCase("forever")]
    [TestCase("36501")]
    public void A_retention_that_is_not_a_number_of_days_stops_start_up_naming_the_setting(string days) =>
        Assert.That(() => ClavexSettings.Load(Configuration(days)), Throws.TypeOf<ConfigurationException>().With.Message.EqualTo(
            "CLAVEX_AUDIT_RETENTION_DAYS must be a whole number of days, 0 (keep every event) to 36500."));

    private static async Task<string[]> TypesAsync(PgAuditEventStore store, long organization, DateTimeOffset? since, DateTimeOffset? until)
    {
        var types = new List<string>();
        await foreach (AuditEventRecord record in store.ExportAsync(organization, since, until, CancellationToken.None))
        {
            types.Add(record.EventType);
        }

        return [.. types];
    }

    private static AuditEvent Event(long? organization, DateTimeOffset at, string type) =>
        new() { OrganizationId = organization, OccurredAt = at, EventType = type, Outcome = "success" };

    private static IConfiguration Configuration(string? days) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Clavex:PublicBaseUrl"] = "https://id.acme.eu",
            ["Clavex:ConnectionString"] = "Host=db",
            ["Clavex:MasterKey"] = Convert.ToBase64String(new byte[32]),
            ["Clavex:AdminToken"] = new string('a', 40),
            ["Clavex:AuditRetentionDays"] = days,
        })
        .Build();
}
