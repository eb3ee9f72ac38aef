using System.Net;
using System.Text;
using Clavex.Tests.Admin;
using Clavex.Tests.Support;

namespace Clavex.Tests.Server;

/// <summary>
/// Issue 16, malformed input: oversized, over-numerous, deeply nested or mis-typed requests are each a 4xx with a
/// clear answer, never a 5xx, and never a stack trace in the response or the log.
/// </summary>
public class MalformedInputTests : AdminTestBase
{
    private readonly LogCapture _logs = new();

    private protected override Task<ClavexTestServer> CreateServerAsync() => ClavexTestServer.StartAsync(logs: _logs);

    [Test]
    public async Task A_10_MB_admin_body_is_413_before_it_is_read_and_nothing_is_created()
    {
        // Kestrel answers from the Content-Length alone and closes the connection; a client still sending the body
        // sees a broken pipe, so the request is written by hand and the answer read before any body byte is sent.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Server.BaseUrl.Port);
        await using System.Net.Sockets.NetworkStream stream = tcp.GetStream();
        string head = $"POST /api/v1/organizations HTTP/1.1\r\nHost: {Server.BaseUrl.Authority}\r\nAuthorization: Bearer {ClavexTestServer.AdminToken}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {10 * 1024 * 1024}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        byte[] buffer = new byte[4096];
        int read = await stream.ReadAsync(buffer);

        Assert.That(Encoding.ASCII.GetString(buffer, 0, read), Does.StartWith("HTTP/1.1 413 "));
        Assert.That(_logs.Messages.Where(m => m.Level >= Microsoft.Extensions.Logging.LogLevel.Error), Is.Empty);
    }

    [Test]
    public async Task A_10000_deep_admin_json_is_400_invalid_request()
    {
        TestOrganization org = await NewOrganizationAsync();
        string body = "{\"display_name\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        HttpResponseMessage response = await AdminAsync(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        await AssertCleanAsync(response);
    }

    [Test]
    public async Task Ten_thousand_form_parameters_at_the_token_endpoint_are_400_invalid_request()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        var content = new StringContent(string.Concat(Enumerable.Repeat("p=&", 10_000)), Encoding.ASCII, "application/x-www-form-urlencoded");

        HttpResponseMessage response = await client.PostAsync($"/{org.Slug}/token", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        await AssertCleanAsync(response);
    }

    [Test]
    public async Task A_1_MB_form_value_is_413()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        var content = new StringContent("grant_type=authorization_code&code=" + new string('x', 1024 * 1024), Encoding.ASCII, "application/x-www-form-urlencoded");

        HttpResponseMessage response = await client.PostAsync($"/{org.Slug}/token", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        await AssertCleanAsync(response);
    }

    [Test]
    public async Task Ten_thousand_query_parameters_are_414()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.GetAsync($"/{org.Slug}/authorize?" + string.Join('&', Enumerable.Range(0, 10_000).Select(i => $"p{i}=1")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong));
        await AssertCleanAsync(response);
    }

    [Test]
    public async Task An_oversized_header_is_431()
    {
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('a', 64 * 1024));

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));
        await AssertCleanAsync(response);
    }

    [TestCase("application/json", "{\"grant_type\":\"client_credentials\"}")]
    [TestCase("text/plain", "grant_type=client_credentials")]
    public async Task A_token_request_that_is_not_a_form_is_400_invalid_request(string contentType, string body)
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage response = await client.PostAsync($"/{org.Slug}/token", new StringContent(body, Encoding.UTF8, contentType));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        await AssertCleanAsync(response);
    }

    [Test]
    public async Task Invalid_utf8_in_an_admin_body_is_400_invalid_request()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/organizations/{org.Slug}")
        {
            Content = new ByteArrayContent([.. "{\"display_name\":\""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()]),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", ClavexTestServer.AdminToken);

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        await AssertCleanAsync(response);
    }

    /// <summary>No stack trace or exception name in the answer, and nothing logged as an error or with a trace.</summary>
    private async Task AssertCleanAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(body, Does.Not.Contain("   at ").And.Not.Contain("Exception"));
        Assert.That(_logs.Messages.Where(m => m.Level >= Microsoft.Extensions.Logging.LogLevel.Error || m.Message.Contains("   at ", StringComparison.Ordinal)),
            Is.Empty);
    }
}
