using System.Net;
using System.Text.Json;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Server;

/// <summary>
/// The token hot path's database cost, counted rather than timed (<see cref="DatabaseCommands"/>): with the
/// organisation, client and keys cached, a code redemption and a refresh are one statement each, which also reads the
/// user and its groups; an authorize with a session is two (the session with its user's state, and the code).
/// </summary>
public sealed class TokenRoundTripTests : ServerTestBase
{
    [Test]
    public async Task Redeeming_a_code_costs_one_database_round_trip()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        await SignInAndRedeemAsync(org, jira);

        IReadOnlyList<string> statements = await MeasureWithWarmCachesAsync(async () =>
        {
            using HttpClient browser = Server.CreateClient();
            Uri callback = await SignInAsync(browser, org);
            return RedeemForm(org, callback);
        }, org);

        Assert.That(statements, Has.Count.EqualTo(1), string.Join("\n---\n", statements));
    }

    [Test]
    public async Task A_refresh_costs_one_database_round_trip()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient jira = Server.CreateClient();

        IReadOnlyList<string> statements = await MeasureWithWarmCachesAsync(async () =>
        {
            JsonElement tokens = await SignInAndRedeemAsync(org, jira, AuthorizeUrl(org, "openid profile email groups offline_access"));
            return Form(
                ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!),
                ("client_id", "atlassian"), ("client_secret", org.ClientSecret));
        }, org);

        Assert.That(statements, Has.Count.EqualTo(1), string.Join("\n---\n", statements));
    }

    [Test]
    public async Task An_authorize_with_a_session_costs_two_round_trips_and_the_code_commits_without_waiting_for_the_flush()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        await SignInAsync(browser, org);
        await browser.GetAsync(AuthorizeUrl(org)); // warms the caches

        IReadOnlyList<string> statements = await DatabaseCommands.OfAsync(async traceParent =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl(org));
            request.Headers.Add("traceparent", traceParent);
            HttpResponseMessage response = await browser.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        });

        Assert.That(statements, Has.Count.EqualTo(2), string.Join("\n---\n", statements));
        Assert.That(statements[0], Does.Contain("FROM sessions").And.Contain("JOIN users"));
        Assert.That(statements[1], Does.Contain("synchronous_commit = off").And.Contain("INSERT INTO authorization_codes"));
    }

    /// <summary>
    /// Prepares a token request (which warms the caches), then counts its commands; prepared and counted again if the
    /// cache listener emptied the caches in between (it does so every 60 s of real time, which a long test run crosses).
    /// </summary>
    private async Task<IReadOnlyList<string>> MeasureWithWarmCachesAsync(Func<Task<FormUrlEncodedContent>> prepare, TestOrganization org)
    {
        CacheChangeListener listener = Server.Services.GetRequiredService<CacheChangeListener>();
        IReadOnlyList<string> statements = [];
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long clears = listener.ClearCount;
            FormUrlEncodedContent form = await prepare();
            statements = await DatabaseCommands.OfAsync(async traceParent =>
            {
                using HttpClient jira = Server.CreateClient();
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/{org.Slug}/token") { Content = form };
                request.Headers.Add("traceparent", traceParent);
                HttpResponseMessage response = await jira.SendAsync(request);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            });
            if (listener.ClearCount == clears)
            {
                break;
            }
        }

        return statements;
    }
}
