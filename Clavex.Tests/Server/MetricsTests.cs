using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>/metrics (Prometheus text, through OpenTelemetry) moves by exactly what happened, and only loopback may read it.</summary>
public partial class MetricsTests : AdminTestBase
{
    [Test]
    public async Task After_a_sign_in_a_wrong_password_and_a_refresh_the_counters_moved_by_exactly_that()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        string before = await ScrapeAsync();
        Assert.That(Value(before, "clavex_tokens_issued_total", org, "grant_type=\"authorization_code\""), Is.Zero);

        System.Text.Json.JsonElement tokens = await SignInAndRedeemAsync(org, jira, AuthorizeUrl(org, "openid profile email groups offline_access"));
        await RefreshAsync(org, tokens.GetProperty("refresh_token").GetString()!, org.ClientSecret);
        using (HttpClient browser = Server.CreateClient())
        {
            HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
            HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");
            await browser.PostAsync(login.Action, login.With("username", "alice").With("password", "not alice's password").ToContent());
        }

        string after = await ScrapeAsync();
        Assert.That(Value(after, "clavex_tokens_issued_total", org, "grant_type=\"authorization_code\"", "client_id=\"atlassian\""), Is.EqualTo(1));
        Assert.That(Value(after, "clavex_tokens_issued_total", org, "grant_type=\"refresh_token\""), Is.EqualTo(1));
        Assert.That(Value(after, "clavex_logins_total", org, "outcome=\"success\""), Is.EqualTo(1));
        Assert.That(Value(after, "clavex_logins_total", org, "outcome=\"failure\"", "reason=\"wrong_password\""), Is.EqualTo(1));
        Assert.That(Value(after, "clavex_audit_events_total", org, "event=\"authorize.code_issued\""), Is.EqualTo(1));
        Assert.That(after, Does.Contain("http_server_request_duration_seconds_bucket"), "ASP.NET Core's request durations");
        Assert.That(after, Does.Contain("clavex_cache_lookups_total"));
        Assert.That(after, Does.Not.Contain(org.AliceSubject).And.Not.Contain(org.ClientSecret), "no subject or secret in a label");
    }

    [Test]
    public async Task The_scrape_is_prometheus_text_for_a_loopback_caller()
    {
        using HttpClient client = Server.CreateClient();
        HttpResponseMessage local = await client.GetAsync("/metrics");
        Assert.That(local.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(local.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
    }

    [TestCase(true, 8080, "127.0.0.1", null, true)]
    [TestCase(true, 8080, "::1", null, true)]
    [TestCase(true, 8080, "203.0.113.9", null, false)]
    [TestCase(true, 8080, "203.0.113.9", 9464, false)]
    [TestCase(true, 9464, "203.0.113.9", 9464, true)]
    [TestCase(false, 9464, "127.0.0.1", 9464, false)]
    [TestCase(false, 8080, "203.0.113.9", 9464, true)]
    [TestCase(false, 8080, "203.0.113.9", null, true)]
    public void Metrics_are_for_this_machine_or_the_metrics_port_and_that_port_serves_nothing_else(
        bool metricsPath, int localPort, string remote, int? metricsPort, bool allowed) =>
        Assert.That(Clavex.Server.Hosting.ClavexMetrics.IsAllowed(metricsPath, localPort, IPAddress.Parse(remote), metricsPort), Is.EqualTo(allowed));

    private async Task<string> ScrapeAsync()
    {
        using HttpClient client = Server.CreateClient();
        HttpResponseMessage response = await client.GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of the series of <paramref name="metric"/> for the organisation whose labels contain all of <paramref name="labels"/>.</summary>
    private static double Value(string scrape, string metric, TestOrganization org, params string[] labels)
    {
        double sum = 0;
        foreach (Match line in SeriesPattern().Matches(scrape))
        {
            string labelText = line.Groups[2].Value;
            if (line.Groups[1].Value == metric && labelText.Contains($"organization=\"{org.Slug}\"", StringComparison.Ordinal)
                && labels.All(l => labelText.Contains(l, StringComparison.Ordinal)))
            {
                sum += double.Parse(line.Groups[3].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    [GeneratedRegex(@"^([a-z_]+)\{([^}]*)\} ([0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex SeriesPattern();
}
