using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>The audit writer never stops and never loses a batch for one event PostgreSQL refuses.</summary>
public sealed class AuditWriterTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task A_full_queue_makes_a_request_wait_a_moment_then_keeps_its_event_in_the_log_only_and_never_hangs(CancellationToken cancellationToken)
    {
        long id = await StorageFixture.CreateOrganizationAsync();
        var organization = new Organization(id, "t", "https://id.acme.eu/t");
        var logs = new Support.LogCapture();
        using var loggers = new LoggerFactory([logs]);
        var log = new AuditLog(TimeProvider.System, loggers.CreateLogger<AuditLog>(), capacity: 2, fullQueueWait: TimeSpan.FromMilliseconds(50));
        var context = new DefaultHttpContext();

        // No writer drains the queue, as when PostgreSQL is away: two events fit, the third waits and then goes to the
        // log only, and so does the fourth, without waiting (the queue is still full). A hang would be cut off by the
        // test's limit.
        await Task.Run(() =>
        {
            log.Record(context, organization, "test.one", true, null, null);
            log.Record(context, organization, "test.two", true, null, null);
            log.Record(context, organization, "test.three", true, null, null);
            log.Record(context, organization, "test.four", true, null, null);
        }, cancellationToken).WaitAsync(cancellationToken);

        Assert.That(log.Reader.Count, Is.EqualTo(2));
        Assert.That(log.Unqueued, Is.EqualTo(2));
        Assert.That(logs.Messages.Count(m => m.Message.StartsWith("audit test.", StringComparison.Ordinal)), Is.EqualTo(4), "every event is in the log");
        Assert.That(logs.Messages.Count(m => m.Message.Contains("The audit queue is full", StringComparison.Ordinal)), Is.EqualTo(1), "warned once, not per event");

        // Once there is room again, events are queued as before.
        Assert.That(log.Reader.TryRead(out AuditEvent? first), Is.True);
        Assert.That(first!.EventType, Is.EqualTo("test.one"));
        log.Record(context, organization, "test.five", true, null, null);
        Assert.That(log.Unqueued, Is.EqualTo(2));
    }

    [Test]
    public async Task An_event_postgresql_refuses_is_stored_without_its_detail_and_the_others_of_its_batch_are_stored_whole()
    {
        long id = await StorageFixture.CreateOrganizationAsync();
        var organization = new Organization(id, "t", "https://id.acme.eu/t");
        var log = new AuditLog(TimeProvider.System, NullLogger<AuditLog>.Instance);
        var writer = new AuditWriter(log, new PgAuditEventStore(StorageFixture.DataSource), NullLogger<AuditWriter>.Instance);
        var context = new DefaultHttpContext();

        // Recorded before the writer starts, so the three are drained as one batch.
        log.Record(context, organization, "test.first", true, null, null, ("n", "1"));
        log.RecordChange(context, organization, "test.refused", null, null, "admin", """{"name":"a\u0000b"}"""u8.ToArray(), null);
        log.Record(context, organization, "test.last", true, null, null, ("n", "3"));
        await writer.StartAsync(CancellationToken.None);
        Dictionary<string, string> details = await WaitForEventsAsync(id, 3);
        await writer.StopAsync(CancellationToken.None);

        Assert.That(details, Is.EqualTo(new Dictionary<string, string>
        {
            ["test.first"] = """{"n": "1"}""",
            ["test.refused"] = """{"unwritable": "PostgresException"}""",
            ["test.last"] = """{"n": "3"}""",
        }));
    }

    /// <summary>The organisation's events by type, once there are <paramref name="count"/> (waiting up to ten seconds).</summary>
    private static async Task<Dictionary<string, string>> WaitForEventsAsync(long organizationId, int count)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            Dictionary<string, string> details = await DetailsByTypeAsync(organizationId);
            if (details.Count >= count || DateTime.UtcNow > deadline)
            {
                return details;
            }

            // Polling a condition with a deadline; the writer flushes within milliseconds.
            await Task.Delay(50);
        }
    }

    private static async Task<Dictionary<string, string>> DetailsByTypeAsync(long organizationId)
    {
        await using NpgsqlCommand command = StorageFixture.DataSource.CreateCommand(
            "SELECT event_type, detail::text FROM audit_events WHERE organization_id = $1");
        command.Parameters.AddWithValue(organizationId);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var details = new Dictionary<string, string>();
        while (await reader.ReadAsync())
        {
            details[reader.GetString(0)] = reader.GetString(1);
        }

        return details;
    }
}
