using System.Net;
using Clavex.Core.Clients;
using Clavex.Server.Hosting;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Server;

/// <summary>form_post delivery, consent, and start-up configuration errors.</summary>
public class BrowserFlowTests : ServerTestBase
{
    [Test]
    public async Task Form_post_delivers_the_code_in_an_auto_submitted_form_to_the_callback()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org, extra: [("response_mode", "form_post")]));
        HtmlForm login = HtmlForm.Find(await page.Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage result = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());

        Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        HtmlForm post = HtmlForm.Find(await result.Content.ReadAsStringAsync(), "/plugins/servlet/oidc/callback");
        Assert.That(post.Action, Is.EqualTo(JiraCallback));
        Assert.That(post.Fields.Select(f => f.Key), Is.EqualTo(new[] { "code", "state", "iss" }));
        Assert.That(post.Fields.Single(f => f.Key == "state").Value, Is.EqualTo(State));
        Assert.That(result.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("form-action 'self' https://jira.acme.eu;"));
    }

    [Test]
    public async Task A_client_requiring_consent_asks_once_and_remembers()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client
            {
                OrganizationId = org.Id, ClientId = "wiki", ClientName = "Team Wiki", RequireConsent = true,
                RedirectUris = [JiraCallback], Scopes = ["openid", "email"],
                Secrets = [new ClientSecret("w1", ClientSecrets.Hash("cs_wiki"), Server.Clock.GetUtcNow())],
            },
            CancellationToken.None);
        using HttpClient browser = Server.CreateClient();
        string url = AuthorizeUrl(org, "openid email", ("client_id", "wiki"));
        HttpResponseMessage loginPage = await browser.GetAsync(url);
        HtmlForm login = HtmlForm.Find(await loginPage.Content.ReadAsStringAsync(), "/login");

        HttpResponseMessage consentPage = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());
        Assert.That(consentPage.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        string consentHtml = await consentPage.Content.ReadAsStringAsync();
        Assert.That(consentHtml, Does.Contain("Team Wiki"));
        HtmlForm consent = HtmlForm.Find(consentHtml, "/consent");
        HttpResponseMessage allowed = await browser.PostAsync(consent.Action, consent.With(FormFieldNames.Decision, FormFieldNames.Allow).ToContent());

        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(Query(allowed.Headers.Location!)["code"], Is.Not.Empty);
        HttpResponseMessage again = await browser.GetAsync(url);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "consent is remembered per user and client");
        Assert.That(await AuditEvents.WaitForAsync(org.Id, "consent.given"), Is.Null);
    }

    [Test]
    public async Task Denying_consent_returns_access_denied_to_the_client()
    {
        TestOrganization org = await Server.SeedOrganizationAsync();
        await Server.Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client { OrganizationId = org.Id, ClientId = "wiki", RequireConsent = true, RedirectUris = [JiraCallback], Scopes = ["openid"] },
            CancellationToken.None);
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage loginPage = await browser.GetAsync(AuthorizeUrl(org, "openid", ("client_id", "wiki")));
        HtmlForm login = HtmlForm.Find(await loginPage.Content.ReadAsStringAsync(), "/login");
        HttpResponseMessage consentPage = await browser.PostAsync(login.Action, login.With("username", "alice").With("password", org.AlicePassword).ToContent());
        HtmlForm consent = HtmlForm.Find(await consentPage.Content.ReadAsStringAsync(), "/consent");

        HttpResponseMessage denied = await browser.PostAsync(consent.Action, consent.With(FormFieldNames.Decision, FormFieldNames.Deny).ToContent());

        Assert.That(Query(denied.Headers.Location!)["error"], Is.EqualTo("access_denied"));
        Assert.That(Query(denied.Headers.Location!)["state"], Is.EqualTo(State));
    }

    [TestCase(null, "CLAVEX_PUBLIC_BASE_URL (or Clavex:PublicBaseUrl) is not set")]
    [TestCase("ftp://id.acme.eu", "is not an https URL")]
    public void Start_without_valid_configuration_names_what_is_missing(string? baseUrl, string expected)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Clavex:PublicBaseUrl"] = baseUrl })
            .Build();

        var exception = Assert.Throws<ConfigurationException>(() => ClavexSettings.Load(configuration));

        Assert.That(exception!.Message, Does.Contain(expected));
        Assert.That(exception.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void A_connection_string_npgsql_cannot_read_is_one_line_naming_the_setting()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Clavex:PublicBaseUrl"] = "https://id.acme.eu",
                ["Clavex:ConnectionString"] = "garbage=1",
            })
            .Build();

        var exception = Assert.Throws<ConfigurationException>(() => ClavexSettings.Load(configuration));

        Assert.That(exception!.Message, Does.StartWith("CLAVEX_CONNECTION_STRING (or Clavex:ConnectionString) is not an Npgsql connection string"));
        Assert.That(exception.Message, Does.Contain("garbage").And.Not.Contain("\n"));
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("start", "--help")]
    public async Task Help_prints_the_usage_and_starts_nothing(params string[] args)
    {
        TextWriter original = Console.Out;
        using var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            Assert.That(await ClavexCommand.RunAsync(args), Is.Zero);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.That(output.ToString(), Does.StartWith("Usage:").And.Contain("start-dev"));
    }

    [Test]
    public async Task Version_prints_the_build_version()
    {
        TextWriter original = Console.Out;
        using var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            Assert.That(await ClavexCommand.RunAsync(["--version"]), Is.Zero);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.That(output.ToString().Trim(), Is.EqualTo("Clavex " + ClavexCommand.Version));
        Assert.That(ClavexCommand.Version, Is.Not.EqualTo("unknown"));
    }

    [Test]
    public void Start_reads_other_master_keys_and_rejects_one_that_is_not_a_key()
    {
        string key = Convert.ToBase64String(new byte[32]);
        Microsoft.Extensions.Configuration.IConfiguration Config(string others) => new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Clavex:PublicBaseUrl"] = "https://id.acme.eu",
                ["Clavex:ConnectionString"] = "Host=db",
                ["Clavex:MasterKey"] = key,
                ["Clavex:AdminToken"] = new string('a', 40),
                ["Clavex:OtherMasterKeys"] = others,
            })
            .Build();

        Assert.That(ClavexSettings.Load(Config($"{Convert.ToBase64String(new byte[32])}, {Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray())}")).OtherMasterKeys, Has.Count.EqualTo(2));
        Assert.That(() => ClavexSettings.Load(Config(key + ",not-a-key")), Throws.TypeOf<ConfigurationException>().With.Message.EqualTo(
            "CLAVEX_OTHER_MASTER_KEYS must be master keys (32 bytes in base64) separated by commas; entry 2 is not."));
    }

    [Test]
    public void Start_rejects_a_master_key_of_the_wrong_length()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Clavex:PublicBaseUrl"] = "https://id.acme.eu",
                ["Clavex:ConnectionString"] = "Host=db",
                ["Clavex:MasterKey"] = Convert.ToBase64String(new byte[16]),
                ["Clavex:AdminToken"] = new string('a', 40),
            })
            .Build();

        Assert.That(() => ClavexSettings.Load(configuration), Throws.TypeOf<ConfigurationException>().With.Message.EqualTo("CLAVEX_MASTER_KEY must be 32 bytes; it is 16."));
    }
}
