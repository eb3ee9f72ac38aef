using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// The token hot path's database cost, counted rather than timed: every Npgsql command is traced, and the commands
/// that belong to one token request are those in its trace (the test starts an activity; HttpClient carries it to the
/// server in <c>traceparent</c>, and the server's request and Npgsql's commands continue it). Background work (the
/// audit writer, last-use flushes) runs outside any request's trace and is not counted.
/// </summary>
[NonParallelizable]
public sealed class TokenRoundTripTests : ServerTestBase
{
    /// <summary>The redemption (or rotation) with the user joined in, plus the client read until clients are cached.</summary>
    private const int ExpectedRoundTrips = 2;

    private const string SourceName = "Clavex.Tests.RoundTrips";

    private static readonly ActivitySource s_tests = new(SourceName);

    private readonly ConcurrentQueue<Activity> _commands = new();
    private ActivityListener? _listener;

    [SetUp]
    public void Listen()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore" or "System.Net.Http" or SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql")
                {
                    _commands.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [TearDown]
    public void StopListening() => _listener?.Dispose();

    [Test]
    public async Task Redeeming_a_code_costs_one_database_round_trip_once_the_client_and_keys_are_cached()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        await SignInAndRedeemAsync(org, jira);
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);

        IReadOnlyList<string> statements = await CommandsOfAsync(() => jira.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback)));

        Assert.That(statements, Has.Count.EqualTo(ExpectedRoundTrips), string.Join("\n---\n", statements));
    }

    [Test]
    public async Task A_refresh_costs_one_database_round_trip_once_the_client_and_keys_are_cached()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        JsonElement tokens = await SignInAndRedeemAsync(org, jira, AuthorizeUrl(org, "openid profile email groups offline_access"));

        IReadOnlyList<string> statements = await CommandsOfAsync(() => jira.PostAsync($"/{org.Slug}/token", Form(
            ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!),
            ("client_id", "atlassian"), ("client_secret", org.ClientSecret))));

        Assert.That(statements, Has.Count.EqualTo(ExpectedRoundTrips), string.Join("\n---\n", statements));
    }

    private async Task<IReadOnlyList<string>> CommandsOfAsync(Func<Task<HttpResponseMessage>> request)
    {
        ActivityTraceId trace;
        HttpResponseMessage response;
        using (Activity activity = s_tests.StartActivity("token request")!)
        {
            trace = activity.TraceId;
            response = await request();
        }

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var statements = new List<string>();
        foreach (Activity command in _commands)
        {
            if (command.TraceId == trace)
            {
                statements.Add(command.GetTagItem("db.query.text") as string ?? command.GetTagItem("db.statement") as string ?? command.DisplayName);
            }
        }

        return statements;
    }
}
