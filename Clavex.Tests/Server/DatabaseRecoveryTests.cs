using System.Net;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, faults: PostgreSQL stopped, frozen, or out of connections while Clavex runs. Requests fail fast with a
/// 503 that names a temporary outage, <c>/readyz</c> says not ready, what failed is audited once PostgreSQL is back,
/// and Clavex recovers by itself: no restart, and nothing a failed request touched is lost or used up. The server
/// reaches PostgreSQL through a <see cref="TcpFaultProxy"/> the tests stop, freeze and resume.
/// </summary>
[NonParallelizable]
public class DatabaseRecoveryTests : AdminTestBase
{
    private readonly LogCapture _logs = new();
    // Made in CreateServerAsync (from the base class's one-time set-up) and disposed in the one-time tear-down.
#pragma warning disable NUnit1032
    private TcpFaultProxy _proxy = null!;
#pragma warning restore NUnit1032

    private protected override Task<ClavexTestServer> CreateServerAsync()
    {
        var target = new NpgsqlConnectionStringBuilder(PostgresFixture.ConnectionString);
        _proxy = TcpFaultProxy.Start(target.Host!, target.Port);
        // Short timeouts, so the frozen case fails in seconds rather than the production 5 s connect and 15 s command.
        string connectionString = new NpgsqlConnectionStringBuilder(_proxy.Through(PostgresFixture.ConnectionString))
        {
            Timeout = 2,
            CommandTimeout = 2,
            CancellationTimeout = 500,
        }.ConnectionString;
        return ClavexTestServer.StartAsync(connectionString: connectionString, logs: _logs);
    }

    [OneTimeTearDown]
    public async Task StopProxyAsync() => await _proxy.DisposeAsync();

    [TearDown]
    public void ResumeDatabase() => _proxy.Resume();

    [Test]
    public async Task PostgreSQL_stopping_and_returning_needs_no_restart_and_the_code_of_a_failed_redemption_still_works()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient jira = Server.CreateClient();

        _proxy.Stop();
        HttpResponseMessage failed = await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        HttpResponseMessage notReady = await jira.GetAsync("/readyz");
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));

        Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await JsonAsync(failed)).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        Assert.That(failed.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(notReady.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        string reference = failed.Headers.GetValues("X-Correlation-Id").Single();

        _proxy.Resume();
        HttpResponseMessage redeemed = await UntilAnsweredAsync(() => jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)));

        Assert.That(redeemed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the code was not used up by the failed attempt");
        Assert.That((await jira.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback))).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "and it is single-use");
        Assert.That(await AuditDetailForAsync(org, "request.unavailable", reference), Is.EqualTo("NpgsqlException"),
            "the request that failed in the outage is in the audit log once PostgreSQL is back");
    }

    [Test]
    public async Task A_frozen_database_fails_requests_within_the_timeouts_instead_of_hanging()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);

        _proxy.Freeze();
        using HttpClient rp = Server.CreateClient();
        rp.Timeout = TimeSpan.FromSeconds(30);
        HttpResponseMessage frozen = await rp.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        HttpResponseMessage notReady = await rp.GetAsync("/readyz");

        Assert.That(frozen.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await JsonAsync(frozen)).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        Assert.That(notReady.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await notReady.Content.ReadAsStringAsync(), Is.EqualTo("database unreachable"));

        // The held statement may still reach PostgreSQL when the network thaws, and commit after Clavex gave up: then
        // the code is used up, as a code must be once its redemption may have happened. Either way it is never
        // redeemed twice.
        _proxy.Resume();
        HttpResponseMessage retried = await UntilAnsweredAsync(() => rp.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)));
        string retriedBody = await retried.Content.ReadAsStringAsync();
        Assert.That(retried.StatusCode == HttpStatusCode.OK
            || (retried.StatusCode == HttpStatusCode.BadRequest && retriedBody.Contains("\"invalid_grant\"", StringComparison.Ordinal)), Is.True, retriedBody);
        HttpResponseMessage again = await rp.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "single-use, whichever way the first attempt went");

        // Recovered: a new sign-in redeems normally.
        using HttpClient second = Server.CreateClient();
        Uri next = await SignInAsync(second, org);
        Assert.That((await rp.PostAsync($"/{org.Slug}/token", RedeemForm(org, next))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_outage_under_load_is_logged_as_one_warning_line_per_ten_seconds_without_a_stack_trace()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        using HttpClient jira = Server.CreateClient();
        Server.Clock.Advance(OutageLogInterval);
        int before = OutageLines().Count;

        _proxy.Stop();
        for (int i = 0; i < 20; i++)
        {
            Assert.That((await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback))).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        Server.Clock.Advance(OutageLogInterval);
        Assert.That((await jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback))).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

        List<(LogLevel Level, string Message)> lines = OutageLines();
        Assert.That(lines.Count - before, Is.EqualTo(2), "one line when it starts, one ten seconds later");
        Assert.That(lines[^1].Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(lines[^1].Message, Does.Contain($"POST /{org.Slug}/token answered 503").And.Contain("; 19 more failed since the last such line"));
        Assert.That(_logs.Messages.Where(m => m.Level >= LogLevel.Error || m.Message.Contains("   at ", StringComparison.Ordinal)), Is.Empty,
            "no error and no stack trace for an outage");
    }

    private static readonly TimeSpan OutageLogInterval = Clavex.Server.Http.OutageLog.Interval + TimeSpan.FromSeconds(1);

    private List<(LogLevel Level, string Message)> OutageLines() =>
        [.. _logs.Messages.Where(m => m.Message.StartsWith("Database unavailable:", StringComparison.Ordinal)).Select(m => (m.Level, m.Message))];

    /// <summary>Repeats <paramref name="send"/> while it answers 503: connections the outage broke are found broken one by one.</summary>
    private static async Task<HttpResponseMessage> UntilAnsweredAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (int attempt = 0; ; attempt++)
        {
            HttpResponseMessage response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 50)
            {
                return response;
            }
        }
    }

    private static async Task<string?> AuditDetailForAsync(TestOrganization org, string eventType, string correlationId)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(
                "SELECT detail->>'reason' FROM audit_events WHERE organization_id = $1 AND event_type = $2 AND correlation_id = $3");
            command.Parameters.AddWithValue(org.Id);
            command.Parameters.AddWithValue(eventType);
            command.Parameters.AddWithValue(correlationId);
            if (await command.ExecuteScalarAsync() is string reason || DateTime.UtcNow > deadline)
            {
                return await command.ExecuteScalarAsync() as string;
            }

            await Task.Delay(100);
        }
    }
}
