using System.Net;
using System.Text.Json;
using Clavex.Core.Users;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clavex.Tests.Admin;

/// <summary>
/// GET /api/v1/organizations/{org}/audit-events (issue 6). The events are written straight into audit_events with
/// known values, so each filter's answer can be compared with exactly the events it must select.
/// </summary>
public class AdminAuditEventTests : AdminTestBase
{
    private static readonly DateTimeOffset Start = new(2020, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Types = ["login.failed", "login.succeeded", "token.issued", "token.failed", "admin.user.created", "logout"];

    [Test]
    public async Task Without_filters_every_event_of_the_organisation_comes_newest_first()
    {
        (string slug, List<Seeded> events) = await SeededOrganizationAsync();

        List<long> ids = await IdsAsync(slug, "limit=500");

        Assert.That(ids, Is.EqualTo(Expected(events, _ => true)));
    }

    [TestCase("event_type=login.failed")]
    [TestCase("event_type=login.*")]
    [TestCase("event_type=admin.*")]
    [TestCase("event_type=admin.user.*")]
    [TestCase("event_type=logout")]
    [TestCase("event_type=log.*")]
    [TestCase("subject=u_bob")]
    [TestCase("client_id=atlassian")]
    [TestCase("outcome=failure")]
    [TestCase("outcome=success")]
    [TestCase("since=2020-03-01T12:10:00Z")]
    [TestCase("until=2020-03-01T12:10:00Z")]
    [TestCase("since=2020-03-01T12:04:00Z&until=2020-03-01T12:09:00Z")]
    [TestCase("since=2020-03-01T13:04:00%2B01:00")]
    [TestCase("event_type=token.*&client_id=atlassian&outcome=failure&subject=u_alice&since=2020-03-01T12:05:00Z")]
    public async Task Each_filter_selects_exactly_the_matching_events(string query)
    {
        (string slug, List<Seeded> events) = await SeededOrganizationAsync();

        List<long> ids = await IdsAsync(slug, query + "&limit=500");

        List<long> expected = Expected(events, Matcher(query));
        Assert.That(ids, Is.EqualTo(expected));
        // A filter that selects nothing proves little, except "log.*", which must not match "logout".
        Assert.That(expected, query == "event_type=log.*" ? Is.Empty : Is.Not.Empty);
    }

    [Test]
    public async Task A_username_is_resolved_to_the_users_subject_in_any_case()
    {
        (string slug, List<Seeded> events) = await SeededOrganizationAsync();

        List<long> ids = await IdsAsync(slug, "username=BOB&limit=500");

        Assert.That(ids, Is.EqualTo(Expected(events, e => e.Subject == "u_bob")));
    }

    [Test]
    public async Task Three_pages_hold_every_event_once_in_order()
    {
        (string slug, List<Seeded> events) = await SeededOrganizationAsync();
        var pages = new List<List<long>>();
        string? cursor = null;

        do
        {
            JsonElement page = await AdminJsonAsync(HttpMethod.Get,
                $"/api/v1/organizations/{slug}/audit-events?limit=10" + (cursor is null ? string.Empty : "&cursor=" + cursor), null, HttpStatusCode.OK);
            pages.Add([.. page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64())]);
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && pages.Count < 5);

        Assert.That(events, Has.Count.EqualTo(30));
        Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 10, 10, 10 }));
        Assert.That(pages.SelectMany(p => p), Is.EqualTo(Expected(events, _ => true)));
    }

    [Test]
    public async Task Paging_keeps_the_filter_and_the_order_of_events_at_the_same_instant()
    {
        (string slug, List<Seeded> events) = await SeededOrganizationAsync();
        var ids = new List<long>();
        string? cursor = null;

        do
        {
            JsonElement page = await AdminJsonAsync(HttpMethod.Get,
                $"/api/v1/organizations/{slug}/audit-events?outcome=failure&limit=1" + (cursor is null ? string.Empty : "&cursor=" + cursor), null, HttpStatusCode.OK);
            ids.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && ids.Count < 100);

        Assert.That(ids, Is.EqualTo(Expected(events, e => e.Outcome == "failure")));
    }

    [Test]
    public async Task An_event_is_returned_with_every_member()
    {
        (string slug, List<Seeded> events) = await SeededOrganizationAsync();
        Seeded first = events[0];

        JsonElement page = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}/audit-events?event_type=login.failed&until=2020-03-01T12:00:00.000001Z", null, HttpStatusCode.OK);

        JsonElement e = page.GetProperty("events").EnumerateArray().Single();
        Assert.That(e.GetProperty("id").GetInt64(), Is.EqualTo(first.Id));
        Assert.That(e.GetProperty("occurred_at").GetDateTimeOffset(), Is.EqualTo(Start));
        Assert.That(e.GetProperty("event_type").GetString(), Is.EqualTo("login.failed"));
        Assert.That(e.GetProperty("outcome").GetString(), Is.EqualTo("failure"));
        Assert.That(e.GetProperty("client_id").GetString(), Is.EqualTo("atlassian"));
        Assert.That(e.GetProperty("subject").GetString(), Is.EqualTo("u_alice"));
        Assert.That(e.GetProperty("ip").GetString(), Is.EqualTo("192.0.2.7"));
        Assert.That(e.GetProperty("user_agent").GetString(), Is.EqualTo("Mozilla/5.0 (test 0)"));
        Assert.That(e.GetProperty("correlation_id").GetString(), Is.EqualTo("corr-0"));
        Assert.That(e.GetProperty("detail").GetRawText(), Is.EqualTo("""{"n": "0", "reason": "wrong_password"}"""));
        Assert.That(page.GetProperty("next_cursor").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Admin_changes_made_through_the_api_can_be_found()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AuditEvents.WaitForAsync(org.Id, "admin.client.created");

        JsonElement page = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/audit-events?event_type=admin.client.created", null, HttpStatusCode.OK);

        JsonElement e = page.GetProperty("events").EnumerateArray().Single();
        Assert.That(e.GetProperty("client_id").GetString(), Is.EqualTo("atlassian"));
        Assert.That(e.GetProperty("outcome").GetString(), Is.EqualTo("success"));
        Assert.That(e.GetProperty("ip").GetString(), Is.EqualTo("127.0.0.1"));
        Assert.That(e.GetProperty("detail").GetProperty("actor").GetString(), Is.EqualTo("admin"));
        Assert.That(e.GetProperty("correlation_id").GetString(), Is.Not.Empty);

        // before and after are the API's own representations, nested as JSON rather than quoted as strings.
        Assert.That(e.GetProperty("detail").GetProperty("before").ValueKind, Is.EqualTo(JsonValueKind.Null));
        JsonElement after = e.GetProperty("detail").GetProperty("after");
        Assert.That(after.ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(after.GetProperty("client_name").GetString(), Is.EqualTo("Jira + Confluence"));
        Assert.That(after.GetProperty("redirect_uris").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task Events_of_another_organisation_never_appear()
    {
        (string slugA, List<Seeded> eventsA) = await SeededOrganizationAsync();
        (string slugB, List<Seeded> eventsB) = await SeededOrganizationAsync();
        HashSet<long> idsB = [.. eventsB.Select(e => e.Id)];

        foreach (string query in new[] { "limit=500", "subject=u_bob&limit=500", "client_id=atlassian&limit=500", "event_type=login.*&limit=500", "outcome=failure&limit=500" })
        {
            List<long> ids = await IdsAsync(slugA, query);
            Assert.That(ids, Is.Not.Empty, query);
            Assert.That(ids.Where(idsB.Contains), Is.Empty, query);
            Assert.That(ids, Is.SubsetOf(eventsA.Select(e => e.Id)), query);
        }

        // A cursor taken from B's pages only positions the page; the events are still A's.
        JsonElement pageB = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{slugB}/audit-events?limit=1", null, HttpStatusCode.OK);
        string cursorB = pageB.GetProperty("next_cursor").GetString()!;
        List<long> withCursor = await IdsAsync(slugA, "limit=500&cursor=" + cursorB);
        Assert.That(withCursor, Is.Not.Empty.And.SubsetOf(eventsA.Select(e => e.Id)));
    }

    [Test]
    public async Task A_correlation_id_finds_the_events_of_that_request()
    {
        (string slug, List<Seeded> events) = await SeededOrganizationAsync();

        List<long> ids = await IdsAsync(slug, "correlation_id=corr-7");

        Assert.That(ids, Is.EqualTo(new[] { events[7].Id }));
    }

    [TestCase("event_type=Login.Failed", "event_type")]
    [TestCase("event_type=login.%25", "event_type")]
    [TestCase("event_type=login*", "event_type")]
    [TestCase("subject=", "subject")]
    [TestCase("client_id=a%01b", "client_id")]
    [TestCase("correlation_id=", "correlation_id")]
    [TestCase("outcome=ok", "outcome")]
    [TestCase("since=yesterday", "since")]
    [TestCase("since=2020-03-01", "since")]
    [TestCase("since=2020-03-01T12:00:00", "since")]
    [TestCase("since=2020-03-01T12:00:00+01:00", "since")]
    [TestCase("until=2020-13-01T12:00:00Z", "until")]
    [TestCase("since=2020-03-01T12:00:00Z&until=2020-03-01T12:00:00Z", "until")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=501", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("cursor=xyz", "cursor")]
    [TestCase("cursor=AAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    [TestCase("type=login.failed", "type")]
    [TestCase("outcome=success&outcome=failure", "outcome")]
    [TestCase("subject=u_bob&username=bob", "subject")]
    [TestCase("username=nobody", "username")]
    public async Task A_bad_parameter_answers_400_naming_it(string query, string parameter)
    {
        (string slug, _) = await SeededOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}/audit-events?{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement body = await JsonAsync(response);
        Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(body.GetProperty("error_description").GetString(), Does.StartWith(parameter + " "));
    }

    [Test]
    public async Task Without_the_admin_token_the_answer_is_401()
    {
        (string slug, _) = await SeededOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}/audit-events", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_token"));
    }

    [Test]
    public async Task An_unknown_organisation_answers_404()
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{NewSlug()}/audit-events");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("not_found"));
    }

    private async Task<List<long>> IdsAsync(string slug, string query)
    {
        JsonElement page = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}/audit-events?{query}", null, HttpStatusCode.OK);
        Assert.That(page.GetProperty("next_cursor").ValueKind, Is.EqualTo(JsonValueKind.Null), "expected one page");
        return [.. page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64())];
    }

    private static List<long> Expected(List<Seeded> events, Func<Seeded, bool> predicate) =>
        [.. events.Where(predicate).OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Select(e => e.Id)];

    /// <summary>The test's own reading of a query string, independent of the server's.</summary>
    private static Func<Seeded, bool> Matcher(string query)
    {
        Func<Seeded, bool> match = _ => true;
        foreach (string pair in query.Split('&'))
        {
            string[] parts = pair.Split('=', 2);
            string value = Uri.UnescapeDataString(parts[1]);
            Func<Seeded, bool> previous = match;
            Func<Seeded, bool> condition = parts[0] switch
            {
                "event_type" when value.EndsWith(".*", StringComparison.Ordinal) => e => e.Type.StartsWith(value[..^1], StringComparison.Ordinal),
                "event_type" => e => e.Type == value,
                "subject" => e => e.Subject == value,
                "client_id" => e => e.ClientId == value,
                "outcome" => e => e.Outcome == value,
                "since" => e => e.OccurredAt >= DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
                "until" => e => e.OccurredAt < DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new ArgumentException(pair),
            };
            match = e => previous(e) && condition(e);
        }

        return match;
    }

    /// <summary>
    /// An organisation (made without the API, so no admin event of its own) with user bob (u_bob) and 30 events:
    /// two per minute from <see cref="Start"/>, so pairs share an instant; types, subjects, clients and outcomes vary.
    /// </summary>
    private async Task<(string Slug, List<Seeded> Events)> SeededOrganizationAsync()
    {
        string slug = NewSlug();
        long id = await Server.Services.GetRequiredService<PgOrganizationStore>().CreateAsync(slug, "Audit " + slug, CancellationToken.None);
        await Server.Services.GetRequiredService<PgUserStore>().CreateAsync(
            new User { OrganizationId = id, Subject = "u_bob", Username = "bob" }, null, CancellationToken.None);
        string?[] subjects = ["u_alice", "u_bob", null];
        string?[] clients = ["atlassian", "grafana", null, "atlassian"];
        var events = new List<Seeded>();
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        for (int i = 0; i < 30; i++)
        {
            string type = Types[i % Types.Length];
            string outcome = type.EndsWith(".failed", StringComparison.Ordinal) ? "failure" : "success";
            var seeded = new Seeded(0, Start.AddMinutes(i / 2), type, outcome, subjects[i % subjects.Length], clients[i % clients.Length]);
            await using NpgsqlCommand command = dataSource.CreateCommand("""
                INSERT INTO audit_events (organization_id, occurred_at, event_type, outcome, client_id, subject, ip, user_agent, correlation_id, detail)
                VALUES ($1, $2, $3, $4, $5, $6, '192.0.2.7', $7, $8, $9::jsonb) RETURNING id
                """);
            command.Parameters.AddWithValue(id);
            command.Parameters.AddWithValue(seeded.OccurredAt);
            command.Parameters.AddWithValue(type);
            command.Parameters.AddWithValue(outcome);
            command.Parameters.AddWithValue((object?)seeded.ClientId ?? DBNull.Value);
            command.Parameters.AddWithValue((object?)seeded.Subject ?? DBNull.Value);
            command.Parameters.AddWithValue($"Mozilla/5.0 (test {i})");
            command.Parameters.AddWithValue($"corr-{i}");
            command.Parameters.AddWithValue($$"""{"n":"{{i}}","reason":"wrong_password"}""");
            events.Add(seeded with { Id = (long)(await command.ExecuteScalarAsync())! });
        }

        return (slug, events);
    }

    private sealed record Seeded(long Id, DateTimeOffset OccurredAt, string Type, string Outcome, string? Subject, string? ClientId);
}
