using System.Diagnostics;
using System.Net;
using Clavex.Server.Hosting;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 12: traces. With tracing on (an OTLP collector configured; here the same instrumentation exported in
/// memory), each request is a server span with a span per PostgreSQL command beneath it, and neither carries a code,
/// a secret or a token.
/// </summary>
public class TracingTests : ServerTestBase
{
    private readonly List<Activity> _spans = [];

    private protected override Task<ClavexTestServer> CreateServerAsync() => ClavexTestServer.StartAsync(configure: builder =>
        builder.Services.AddOpenTelemetry().WithTracing(tracing => ClavexTracing.Instrument(tracing).AddInMemoryExporter(_spans)));

    [Test]
    public async Task A_code_exchange_is_a_server_span_with_its_sql_beneath_and_no_secret_in_any_span()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);
        string code = Query(callback)["code"];
        HttpResponseMessage token = await browser.PostAsync($"/{org.Slug}/token", RedeemForm(org, callback));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        string accessToken = (await JsonAsync(token)).GetProperty("access_token").GetString()!;

        Activity server = await SpanAsync(a => a.Kind == ActivityKind.Server && a.GetTagItem("http.route") as string == "/{org}/token");
        Assert.That(server.GetTagItem("http.request.method"), Is.EqualTo("POST"));
        Assert.That(server.GetTagItem("http.response.status_code"), Is.EqualTo(200));
        Activity[] sql = Snapshot().Where(a => a.Source.Name == "Npgsql" && a.ParentSpanId == server.SpanId).ToArray();
        Assert.That(sql, Is.Not.Empty, "the code's redemption is a PostgreSQL command under the token request's span");
        Assert.That(sql.Select(a => a.GetTagItem("db.query.text") as string ?? a.GetTagItem("db.statement") as string), Has.Some.Contain("authorization_codes"),
            "the redemption's statement, by its table");

        Activity authorize = await SpanAsync(a => a.Kind == ActivityKind.Server && a.GetTagItem("http.route") as string == "/{org}/login");
        Assert.That(authorize.Duration, Is.GreaterThan(TimeSpan.Zero));
        foreach (Activity span in Snapshot())
        {
            foreach (KeyValuePair<string, object?> tag in span.TagObjects)
            {
                string value = tag.Value?.ToString() ?? string.Empty;
                // The state and nonce travel in the authorize query, which the instrumentation must redact.
                Assert.That(value, Does.Not.Contain(code).And.Not.Contain(org.ClientSecret).And.Not.Contain(accessToken).And.Not.Contain(org.AlicePassword)
                        .And.Not.Contain(State).And.Not.Contain(Nonce),
                    $"{span.DisplayName} {tag.Key}");
            }
        }
    }

    [Test]
    public async Task Scrapes_and_probes_are_not_traced()
    {
        using HttpClient client = Server.CreateClient();
        Assert.That((await client.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await client.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await client.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        TestOrganization org = await Server.SeedOrganizationAsync();
        Assert.That((await client.GetAsync($"/{org.Slug}/.well-known/openid-configuration")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Activity discovery = await SpanAsync(a => a.Kind == ActivityKind.Server && a.GetTagItem("http.route") as string == "/{org}/.well-known/openid-configuration");
        Assert.That(discovery.GetTagItem("url.path"), Is.EqualTo($"/{org.Slug}/.well-known/openid-configuration"));
        Assert.That(Snapshot().Where(a => a.Kind == ActivityKind.Server).Select(a => a.GetTagItem("url.path") as string),
            Has.None.EqualTo("/healthz").And.None.EqualTo("/metrics").And.None.EqualTo("/readyz"));
    }

    private Activity[] Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    /// <summary>The server span is exported when it ends, just after the response has been sent: wait for it.</summary>
    private async Task<Activity> SpanAsync(Func<Activity, bool> match)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (Snapshot().LastOrDefault(match) is Activity found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AssertionException("No such span within 10 s; spans: " + string.Join(", ", Snapshot().Select(a => a.DisplayName)));
            }

            // Polling a condition with a deadline.
            await Task.Delay(20);
        }
    }
}
