using Npgsql;

namespace Clavex.Tests.Support;

/// <summary>Reads audit events from the database. They are written in the background, so reads wait (bounded) for them.</summary>
internal static class AuditEvents
{
    /// <summary>The <c>detail.reason</c> of the request's <paramref name="eventType"/> event, by its correlation id (for events of no organisation).</summary>
    public static Task<string?> WaitForRequestAsync(string correlationId, string eventType) =>
        PollAsync("correlation_id = $1", correlationId, eventType, $"request {correlationId}");

    /// <summary>The <c>reason</c> of the organisation's newest event of that type, waiting up to ten seconds for the writer to flush it.</summary>
    public static Task<string?> WaitForAsync(long organizationId, string eventType) =>
        PollAsync("organization_id = $1", organizationId, eventType, $"organisation {organizationId}");

    /// <summary>The <c>detail.reason</c> of the newest matching event, waiting up to 10 s for the audit writer's batch.</summary>
    private static async Task<string?> PollAsync(string where, object key, string eventType, string what)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(
                $"SELECT detail->>'reason' FROM audit_events WHERE {where} AND event_type = $2 ORDER BY id DESC LIMIT 1");
            command.Parameters.AddWithValue(key);
            command.Parameters.AddWithValue(eventType);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                return reader.IsDBNull(0) ? null : reader.GetString(0);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AssertionException($"No '{eventType}' audit event for {what} within 10 s.");
            }

            // Polling a condition with a deadline; the writer flushes within milliseconds.
            await Task.Delay(50);
        }
    }
}
