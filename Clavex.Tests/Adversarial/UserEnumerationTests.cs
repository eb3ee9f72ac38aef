using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clavex.Server.Login;
using Clavex.Tests.Support;

namespace Clavex.Tests.Adversarial;

/// <summary>
/// Issue 16, user enumeration at the login form: whether a username exists (or is disabled) shows neither in the
/// status, nor in the page, nor in how long the answer takes. Each attempt comes from an address of its own (the test
/// server trusts loopback as a proxy), so the login throttle never answers in place of the form.
/// </summary>
public partial class UserEnumerationTests : AdversarialTestBase
{
    private const string WrongPassword = "not the password of anyone";

    private static int s_address;

    // RFC 6749 §10.10 (the server MUST prevent guessing of resource owner passwords: a list of valid usernames halves
    // the work), OWASP Authentication Cheat Sheet ("Authentication and Error Messages": one answer for both).
    [TestCase("mallory", WrongPassword, TestName = "{m}(unknown user)")]
    [TestCase("bob", "bob's right passphrase", TestName = "{m}(disabled user with the right password)")]
    [TestCase("bob", WrongPassword, TestName = "{m}(disabled user with a wrong password)")]
    public async Task An_unknown_or_disabled_user_gets_the_same_status_and_page_as_a_wrong_password(string username, string password)
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        await CreateDisabledBobAsync(org);

        (HttpResponseMessage wrong, string wrongPage) = await AttemptAsync(org, "alice", WrongPassword);
        (HttpResponseMessage probe, string probePage) = await AttemptAsync(org, username, password);

        Assert.That(probe.StatusCode, Is.EqualTo(wrong.StatusCode).And.EqualTo(HttpStatusCode.OK));
        Assert.That(CookieNames(probe), Is.EqualTo(CookieNames(wrong)), "no session cookie either way");
        Assert.That(Normalised(probePage, username), Is.EqualTo(Normalised(wrongPage, "alice")));
        Assert.That(wrongPage, Does.Contain("The username or password is incorrect."));
    }

    [Test]
    public async Task An_unknown_user_and_a_wrong_password_take_as_long()
    {
        // RFC 6749 §10.10 and the OWASP Authentication Cheat Sheet (response time): the unknown user is checked against
        // a dummy hash (Login/Argon2idPasswordVerifier). Interleaved runs compared by their medians, never by a wall clock.
        const int Runs = 15;
        TestOrganization org = await Server.SeedOrganizationAsync();
        await AttemptAsync(org, "alice", WrongPassword);
        await AttemptAsync(org, "mallory", WrongPassword);
        var known = new List<double>(Runs);
        var unknown = new List<double>(Runs);

        for (int i = 0; i < Runs; i++)
        {
            known.Add(await TimedAttemptAsync(org, "alice"));
            unknown.Add(await TimedAttemptAsync(org, "mallory"));
        }

        double ratio = Median(unknown) / Median(known);
        TestContext.Out.WriteLine($"median wrong password {Median(known):F1} ms, unknown user {Median(unknown):F1} ms, ratio {ratio:F2}");
        Assert.That(ratio, Is.InRange(0.5, 2.0));
    }

    private async Task CreateDisabledBobAsync(TestOrganization org)
    {
        JsonElement bob = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users",
            """{"username":"bob","password":"bob's right passphrase"}""", HttpStatusCode.Created);
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{bob.GetProperty("sub").GetString()}/disable", null, HttpStatusCode.NoContent);
    }

    /// <summary>A new browser from a new address: the login page, then the password; the answer and its page.</summary>
    private async Task<(HttpResponseMessage Response, string Page)> AttemptAsync(TestOrganization org, string username, string password)
    {
        using HttpClient browser = Server.CreateClient(forwardedFor: NewAddress());
        HttpResponseMessage response = await PasswordAsync(browser, org, password, username: username);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The milliseconds the password post alone takes (the login page is fetched before the clock starts).</summary>
    private async Task<double> TimedAttemptAsync(TestOrganization org, string username)
    {
        using HttpClient browser = Server.CreateClient(forwardedFor: NewAddress());
        HtmlForm login = HtmlForm.Find(await (await browser.GetAsync(AuthorizeUrl(org))).Content.ReadAsStringAsync(), "/login");
        using FormUrlEncodedContent content = login.With("username", username).With("password", WrongPassword).ToContent();
        long start = Stopwatch.GetTimestamp();
        HttpResponseMessage response = await browser.PostAsync(login.Action, content);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The page without what differs per request (the antiforgery token) and the username the user typed.</summary>
    private static string Normalised(string page, string username) =>
        AntiforgeryValue().Replace(page, "clavex_af")
            .Replace($"value=\"{username}\"", "value=\"USERNAME\"", StringComparison.Ordinal);

    private static string[] CookieNames(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out IEnumerable<string>? cookies) ? [.. cookies.Select(c => c[..c.IndexOf('=', StringComparison.Ordinal)]).Order()] : [];

    private static string NewAddress() => $"203.0.113.{Interlocked.Increment(ref s_address) % 250}";

    [GeneratedRegex("name=\"" + AntiforgeryTokens.FormFieldName + "\" value=\"[^\"]*\"")]
    private static partial Regex AntiforgeryValue();
}
