using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Admin;

/// <summary>Secret rotation without outage: both secrets work until the previous one expires. Moves the server's clock.</summary>
public class AdminSecretRotationTests : AdminTestBase
{
    [Test]
    public async Task After_a_rotation_both_secrets_work_until_the_previous_one_expires()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage rotation = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients/atlassian/secrets", """{"previous_secret_expires_in": 3600}""");

        Assert.That(rotation.StatusCode, Is.EqualTo(HttpStatusCode.Created), await rotation.Content.ReadAsStringAsync());
        JsonElement body = await JsonAsync(rotation);
        string newSecret = body.GetProperty("client_secret").GetString()!;
        Assert.That(newSecret, Does.Match("^cs_[A-Za-z0-9]{43}$"));
        Assert.That(newSecret, Is.Not.EqualTo(org.ClientSecret));
        Assert.That(await RedeemNewCodeAsync(org, org.ClientSecret), Is.EqualTo(HttpStatusCode.OK), "the previous secret still works");
        Assert.That(await RedeemNewCodeAsync(org, newSecret), Is.EqualTo(HttpStatusCode.OK), "the new secret works at once");

        Server.Clock.Advance(TimeSpan.FromSeconds(3601));

        Assert.That(await RedeemNewCodeAsync(org, org.ClientSecret), Is.EqualTo(HttpStatusCode.Unauthorized), "the previous secret has expired");
        Assert.That(await RedeemNewCodeAsync(org, newSecret), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Secrets_are_listed_with_their_expiry_and_never_shown()
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonElement rotation = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients/atlassian/secrets", null, HttpStatusCode.Created);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/atlassian/secrets");

        string text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(text, Does.Not.Contain("cs_"));
        JsonElement[] secrets = [.. JsonDocument.Parse(text).RootElement.GetProperty("secrets").EnumerateArray()];
        Assert.That(secrets, Has.Length.EqualTo(2));
        string newId = rotation.GetProperty("id").GetString()!;
        JsonElement previous = secrets.Single(s => s.GetProperty("id").GetString() != newId);
        JsonElement added = secrets.Single(s => s.GetProperty("id").GetString() == newId);
        DateTimeOffset created = added.GetProperty("created_at").GetDateTimeOffset();
        Assert.That(previous.GetProperty("expires_at").GetDateTimeOffset(), Is.EqualTo(created.AddDays(1)), "the default overlap is a day");
        Assert.That(added.GetProperty("expires_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(added.TryGetProperty("last_used_at", out _), Is.True);
    }

    [TestCase("""{"previous_secret_expires_in": -1}""")]
    [TestCase("""{"previous_secret_expires_in": "3600"}""")]
    [TestCase("""{"previous_expires_in": 3600}""")]
    public async Task A_bad_rotation_request_answers_400_and_rotates_nothing(string body)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients/atlassian/secrets", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.Contain("previous_"));
        JsonElement secrets = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/atlassian/secrets", null, HttpStatusCode.OK);
        Assert.That(secrets.GetProperty("secrets").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task Rotating_the_secret_of_an_unknown_client_answers_404()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients/nobody/secrets");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private async Task<HttpStatusCode> RedeemNewCodeAsync(TestOrganization org, string secret)
    {
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage token = await RedeemAsync(org, await SignInAsync(browser, org), secret);
        return token.StatusCode;
    }
}
