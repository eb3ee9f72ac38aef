using Npgsql;

namespace Clavex.Tests.Support;

/// <summary>Reads audit events from the database. They are written in the background, so reads wait (bounded) for them.</summary>
internal static class AuditEvents
{
    /// <summary>The <c>reason</c> of the newest event of that type, waiting up to ten seconds for the writer to flush it.</summary>
    /// <summary>The <c>detail.reason</c> of the request's <paramref name="eventType"/> event, by its correlation id (for events of no organisation).</summary>
    public static async Task<string?> WaitForRequestAsync(string correlationId, string eventType)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(
                "SELECT detail->>'reason' FROM audit_events WHERE correlation_id = $1 AND event_type = $2 ORDER BY id DESC LIMIT 1");
            command.Parameters.AddWithValue(correlationId);
            command.Parameters.AddWithValue(eventType);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                return reader.IsDBNull(0) ? null : reader.GetString(0);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AssertionException($"No '{eventType}' audit event for request {correlationId} within 10 s.");
            }

            // Polling a condition with a deadline; the writer flushes within milliseconds.
            await Task.Delay(50);
        }
    }

    public static async Task<string?> WaitForAsync(long organizationId, string eventType)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(
                "SELECT detail->>'reason' FROM audit_events WHERE organization_id = $1 AND event_type = $2 ORDER BY id DESC LIMIT 1");
            command.Parameters.AddWithValue(organizationId);
            command.Parameters.AddWithValue(eventType);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                return reader.IsDBNull(0) ? null : reader.GetString(0);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AssertionException($"No '{eventType}' audit event for organisation {organizationId} within 10 s.");
            }

            // Polling a condition with a deadline; the writer flushes within milliseconds.
            await Task.Delay(50);
        }
    }
}
