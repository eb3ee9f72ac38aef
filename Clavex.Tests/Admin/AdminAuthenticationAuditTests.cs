using System.Net;
using System.Text.Json;
using Clavex.Server.Admin;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Clavex.Tests.Admin;

/// <summary>Refused admin requests are audited as admin.authentication_failed (issue 6), never with the token.</summary>
public class AdminAuthenticationAuditTests : AdminTestBase
{
    private const string WrongToken = "adm_wrong_0123456789abcdefghijklmnopqrstuvwxyz";

    [TestCase(null, "missing_token")]
    [TestCase(WrongToken, "wrong_token")]
    public async Task A_refused_request_on_an_organisation_is_audited_under_it(string? token, string reason)
    {
        (string slug, long id) = await BareOrganizationAsync();

        HttpResponseMessage response = await SendAsync($"/api/v1/organizations/{slug}/users", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await AuditEvents.WaitForAsync(id, AdminAuthenticationFailures.EventType), Is.EqualTo(reason));
        string correlationId = response.Headers.GetValues("X-Correlation-Id").Single();
        JsonElement row = await RowAsync(correlationId);
        Assert.That(row.GetProperty("organization_id").GetInt64(), Is.EqualTo(id));
        Assert.That(row.GetProperty("outcome").GetString(), Is.EqualTo("failure"));
        Assert.That(row.GetProperty("ip").GetString(), Is.EqualTo("127.0.0.1"));
        Assert.That(row.GetProperty("user_agent").GetString(), Is.EqualTo("audit-test/1.0"));
        Assert.That(row.GetProperty("client_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(row.GetProperty("subject").ValueKind, Is.EqualTo(JsonValueKind.Null));
        JsonElement detail = row.GetProperty("detail");
        Assert.That(detail.GetProperty("reason").GetString(), Is.EqualTo(reason));
        Assert.That(detail.GetProperty("path").GetString(), Is.EqualTo($"/api/v1/organizations/{slug}/users"));
        Assert.That(detail.GetProperty("suppressed").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task The_presented_token_is_nowhere_in_the_event()
    {
        (string slug, _) = await BareOrganizationAsync();

        HttpResponseMessage response = await SendAsync($"/api/v1/organizations/{slug}/clients", WrongToken);

        string correlationId = response.Headers.GetValues("X-Correlation-Id").Single();
        string row = (await RowAsync(correlationId)).GetRawText();
        Assert.That(row, Does.Contain("wrong_token"));
        Assert.That(row, Does.Not.Contain(WrongToken).And.Not.Contain(WrongToken[..12]));
        Assert.That(row, Does.Not.Contain(ClavexTestServer.AdminToken[..12]));
    }

    [Test]
    public async Task A_refused_request_outside_any_organisation_is_audited_without_one()
    {
        HttpResponseMessage response = await SendAsync($"/api/v1/organizations/{NewSlug()}/groups", WrongToken);
        HttpResponseMessage list = await SendAsync("/api/v1/organizations", null);

        foreach (HttpResponseMessage refused in new[] { response, list })
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            JsonElement row = await RowAsync(refused.Headers.GetValues("X-Correlation-Id").Single());
            Assert.That(row.GetProperty("organization_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(row.GetProperty("event_type").GetString(), Is.EqualTo("admin.authentication_failed"));
        }
    }

    [Test]
    public async Task The_failure_can_be_found_through_the_audit_query()
    {
        (string slug, long id) = await BareOrganizationAsync();
        await SendAsync($"/api/v1/organizations/{slug}/groups", WrongToken);
        await AuditEvents.WaitForAsync(id, AdminAuthenticationFailures.EventType);

        JsonElement page = await AdminJsonAsync(HttpMethod.Get,
            $"/api/v1/organizations/{slug}/audit-events?event_type=admin.authentication_failed&outcome=failure", null, HttpStatusCode.OK);

        JsonElement e = page.GetProperty("events").EnumerateArray().Single();
        Assert.That(e.GetProperty("detail").GetProperty("reason").GetString(), Is.EqualTo("wrong_token"));
    }

    [Test]
    public void One_address_is_recorded_at_most_ten_times_a_minute_and_the_next_event_counts_the_rest()
    {
        var failures = new AdminAuthenticationFailures(null!, null!, TimeProvider.System, NullLogger<AdminAuthenticationFailures>.Instance);
        DateTimeOffset now = TestClock.DefaultStart;

        long?[] first = [.. Enumerable.Range(0, 13).Select(_ => failures.Admit("192.0.2.1", now))];
        long? other = failures.Admit("192.0.2.2", now.AddSeconds(30));
        long? stillSuppressed = failures.Admit("192.0.2.1", now.AddSeconds(59));
        long? nextMinute = failures.Admit("192.0.2.1", now.AddSeconds(60));
        long? after = failures.Admit("192.0.2.1", now.AddSeconds(61));

        Assert.That(first.Take(10), Is.All.EqualTo(0));
        Assert.That(first.Skip(10), Is.All.Null);
        Assert.That(other, Is.EqualTo(0));
        Assert.That(stillSuppressed, Is.Null);
        Assert.That(nextMinute, Is.EqualTo(4));
        Assert.That(after, Is.EqualTo(0));
    }

    [Test]
    public void All_addresses_together_are_recorded_at_most_300_times_a_minute()
    {
        var failures = new AdminAuthenticationFailures(null!, null!, TimeProvider.System, NullLogger<AdminAuthenticationFailures>.Instance);
        DateTimeOffset now = TestClock.DefaultStart;

        int recorded = Enumerable.Range(0, 400).Count(i => failures.Admit($"198.51.100.{i % 250}/{i}", now) is not null);
        long? nextMinute = failures.Admit("198.51.100.149/399", now.AddMinutes(1));

        Assert.That(recorded, Is.EqualTo(AdminAuthenticationFailures.TotalPerMinute));
        Assert.That(nextMinute, Is.EqualTo(1));
    }

    [TestCase("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [TestCase("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64")]
    [TestCase("::ffff:192.0.2.9", "192.0.2.9")]
    [TestCase("192.0.2.9", "192.0.2.9")]
    public void An_ipv6_address_counts_as_its_64(string address, string key) =>
        Assert.That(Clavex.Server.Http.ClientAddress.Key(IPAddress.Parse(address)), Is.EqualTo(key));

    [Test]
    public async Task A_flood_from_one_address_is_recorded_ten_times_then_counted()
    {
        // Its own server, so that no other test's failures from 127.0.0.1 share the minute.
        await using ClavexTestServer server = await ClavexTestServer.StartAsync();
        string slug = NewSlug();
        long id = await server.Services.GetRequiredService<PgOrganizationStore>().CreateAsync(slug, "Flood", CancellationToken.None);
        using HttpClient client = server.CreateClient();

        for (int i = 0; i < 13; i++)
        {
            HttpResponseMessage refused = await client.GetAsync($"/api/v1/organizations/{slug}/users");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        server.Clock.Advance(TimeSpan.FromSeconds(61));
        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/organizations/{slug}/users");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", WrongToken);
        await client.SendAsync(wrong);

        // The queue is written in order, so once the eleventh event is there, every earlier one is too.
        await WaitForCountAsync(id, 11);
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand(
            "SELECT detail->>'reason', detail->>'suppressed' FROM audit_events WHERE organization_id = $1 ORDER BY id");
        command.Parameters.AddWithValue(id);
        var rows = new List<(string? Reason, string? Suppressed)>();
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
        }

        Assert.That(rows, Has.Count.EqualTo(11));
        Assert.That(rows.Take(10), Is.All.EqualTo(("missing_token", (string?)null)));
        Assert.That(rows[10], Is.EqualTo(("wrong_token", "3")));
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string? token)
    {
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.UserAgent.ParseAdd("audit-test/1.0");
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private async Task<(string Slug, long Id)> BareOrganizationAsync()
    {
        string slug = NewSlug();
        return (slug, await Server.Services.GetRequiredService<PgOrganizationStore>().CreateAsync(slug, "Bare " + slug, CancellationToken.None));
    }

    /// <summary>The event of that request as JSON, waiting (bounded) for the background writer.</summary>
    private static async Task<JsonElement> RowAsync(string correlationId)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand("SELECT row_to_json(e)::text FROM audit_events e WHERE correlation_id = $1");
            command.Parameters.AddWithValue(correlationId);
            if (await command.ExecuteScalarAsync() is string json)
            {
                return JsonDocument.Parse(json).RootElement.Clone();
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"No audit event with correlation id {correlationId} within 10 s.");
            await Task.Delay(50);
        }
    }

    private static async Task WaitForCountAsync(long organizationId, int count)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand("SELECT count(*) FROM audit_events WHERE organization_id = $1");
            command.Parameters.AddWithValue(organizationId);
            if ((long)(await command.ExecuteScalarAsync())! >= count)
            {
                return;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"Fewer than {count} audit events for organisation {organizationId} within 10 s.");
            await Task.Delay(50);
        }
    }
}
