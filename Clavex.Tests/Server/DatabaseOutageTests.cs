using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, faults: with PostgreSQL unreachable, requests fail fast with a 503 that names a temporary outage and
/// carries a Reference, JSON for a relying party and a page for a browser; never a 500 or a hang.
/// </summary>
public class DatabaseOutageTests
{
    private ClavexTestServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        // Nothing listens on this port: every connection attempt is refused at once.
        _server = await ClavexTestServer.StartAsync(connectionString: $"Host=127.0.0.1;Port={ClavexTestServer.FreePort()};Username=clavex;Database=clavex;Timeout=2");

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task A_relying_party_gets_503_temporarily_unavailable_with_retry_after_and_a_reference()
    {
        using HttpClient rp = _server.CreateClient();

        HttpResponseMessage response = await rp.GetAsync("/acme/.well-known/openid-configuration");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(response.Headers.GetValues("X-Correlation-Id").Single(), Is.Not.Empty);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith("The server's database is not answering."));
    }

    [Test]
    public async Task A_browser_gets_a_page_saying_sign_in_is_temporarily_unavailable()
    {
        using HttpClient browser = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/authorize?client_id=atlassian&response_type=code");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        request.Headers.TryAddWithoutValidation("Accept-Language", "de");

        HttpResponseMessage response = await browser.SendAsync(request);

        string page = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(page, Does.Contain("<h1>Die Anmeldung ist vor&#xFC;bergehend nicht verf&#xFC;gbar</h1>"));
        Assert.That(page, Does.Contain(response.Headers.GetValues("X-Correlation-Id").Single()));
        Assert.That(page, Does.Not.Contain("Npgsql").And.Not.Contain("   at "));
    }
}
