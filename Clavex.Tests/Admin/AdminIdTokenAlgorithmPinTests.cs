using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Admin;

/// <summary>
/// id_token_signed_response_alg (OIDC Dynamic Client Registration §2) as a pin: a client may name the one ID token
/// algorithm its relying party accepts, it must be the organisation's, and the organisation's algorithm cannot move
/// away from it, whether by PATCH or by a rotation naming an algorithm.
/// </summary>
public class AdminIdTokenAlgorithmPinTests : AdminTestBase
{
    private static readonly HttpMethod Patch = new("PATCH");

    [Test]
    public async Task A_client_without_a_pin_shows_null()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"wiki","redirect_uris":["https://wiki.acme.eu/callback"],"token_endpoint_auth_method":"client_secret_post"}""", HttpStatusCode.Created);

        JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/wiki", null, HttpStatusCode.OK);

        Assert.That(client.GetProperty("id_token_signed_response_alg").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    // Issue 15: an unpinned Atlassian client switched to ES256 on its own at the next scheduled rotation.
    public async Task A_client_registered_with_atlassian_callbacks_is_pinned_to_rs256_so_the_organisation_cannot_leave_it()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"miniorange","redirect_uris":["https://confluence.acme.eu/plugins/servlet/oauth/callback"],"token_endpoint_auth_method":"client_secret_post"}""",
            HttpStatusCode.Created);
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"unpinned","redirect_uris":["https://jira.acme.eu/plugins/servlet/oidc/callback"],"token_endpoint_auth_method":"client_secret_post","id_token_signed_response_alg":null}""",
            HttpStatusCode.Created);

        JsonElement guide = await AdminJsonAsync(HttpMethod.Get, Client(org), null, HttpStatusCode.OK);
        HttpResponseMessage response = await AdminAsync(Patch, Organization(org), """{"signing_algorithm":"ES256"}""");

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(guide.GetProperty("id_token_signed_response_alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(await StoredPinAsync(org, "miniorange"), Is.EqualTo("RS256"));
            Assert.That(await StoredPinAsync(org, "unpinned"), Is.Null, "an explicit null registers no pin");
            Assert.That(problem.GetProperty("error_description").GetString(), Does.Contain("atlassian").And.Contain("miniorange").And.Not.Contain("unpinned"));
        }
    }

    [Test]
    public async Task A_pin_equal_to_the_organisations_algorithm_is_registered_and_shown()
    {
        TestOrganization org = await NewOrganizationAsync();

        JsonElement created = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", PinnedBody("pinned", "RS256"), HttpStatusCode.Created);
        JsonElement read = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/pinned", null, HttpStatusCode.OK);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.GetProperty("id_token_signed_response_alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(read.GetProperty("id_token_signed_response_alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(await StoredPinAsync(org, "pinned"), Is.EqualTo("RS256"));
        }
    }

    [Test]
    public async Task A_pin_other_than_the_organisations_algorithm_is_400_naming_the_field_and_the_organisations_algorithm()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", PinnedBody("pinned", "ES256"));

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("error").GetString(), Is.EqualTo("invalid_client_metadata"));
            Assert.That(problem.GetProperty("error_description").GetString(),
                Is.EqualTo($"id_token_signed_response_alg is ES256, but organisation '{org.Slug}' signs with RS256; pin RS256, or change the organisation's signing_algorithm first."));
            Assert.That(await ClientExistsAsync(org, "pinned"), Is.False);
        }
    }

    [TestCase("HS256")]
    [TestCase("none")]
    [TestCase("rs256")]
    public async Task An_unknown_algorithm_is_400_naming_the_field(string algorithm)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", PinnedBody("pinned", algorithm));

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("error").GetString(), Is.EqualTo("invalid_client_metadata"));
            Assert.That(problem.GetProperty("error_description").GetString(),
                Is.EqualTo($"id_token_signed_response_alg must be RS256, PS256 or ES256; '{algorithm}' is not a signing algorithm Clavex supports."));
        }
    }

    [Test]
    public async Task A_patch_to_a_pin_other_than_the_organisations_algorithm_is_400_and_changes_nothing()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(Patch, Client(org), """{"id_token_signed_response_alg":"PS256"}""");

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("error_description").GetString(), Does.StartWith("id_token_signed_response_alg is PS256, but organisation"));
        Assert.That(await StoredPinAsync(org, "atlassian"), Is.EqualTo("RS256"), "the registration's pin is kept");
    }

    [Test]
    public async Task Patching_the_organisation_away_from_a_pin_is_409_naming_the_client_and_changes_nothing()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(Patch, Client(org), """{"id_token_signed_response_alg":"RS256"}""", HttpStatusCode.OK);
        JsonElement before = await AdminJsonAsync(HttpMethod.Get, Organization(org), null, HttpStatusCode.OK);

        HttpResponseMessage response = await AdminAsync(Patch, Organization(org), """{"signing_algorithm":"ES256"}""");

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        JsonElement after = await AdminJsonAsync(HttpMethod.Get, Organization(org), null, HttpStatusCode.OK);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("error").GetString(), Is.EqualTo("conflict"));
            Assert.That(problem.GetProperty("error_description").GetString(), Is.EqualTo(
                $"Organisation '{org.Slug}' cannot change signing_algorithm to ES256: client 'atlassian' requires RS256 ID tokens (id_token_signed_response_alg); change or remove its pin first."));
            Assert.That(after.GetProperty("signing_algorithm").GetString(), Is.EqualTo("RS256"));
            Assert.That(after.GetProperty("updated_at").GetString(), Is.EqualTo(before.GetProperty("updated_at").GetString()));
        }
    }

    [Test]
    public async Task A_disabled_client_pins_too_and_every_conflicting_client_is_named()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(Patch, Client(org), """{"id_token_signed_response_alg":"RS256","enabled":false}""", HttpStatusCode.OK);
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", PinnedBody("bitbucket", "RS256"), HttpStatusCode.Created);

        HttpResponseMessage response = await AdminAsync(Patch, Organization(org), """{"signing_algorithm":"PS256"}""");

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("error_description").GetString(), Does.EndWith(
            "client 'atlassian' requires RS256 ID tokens, client 'bitbucket' requires RS256 ID tokens (id_token_signed_response_alg); change or remove their pins first."));
    }

    [Test]
    public async Task A_rotation_naming_an_algorithm_other_than_a_pin_is_409_and_creates_no_key()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(Patch, Client(org), """{"id_token_signed_response_alg":"RS256"}""", HttpStatusCode.OK);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"{Organization(org)}/signing-keys/rotate", """{"algorithm":"ES256","immediate":true}""");

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        JsonElement keys = await AdminJsonAsync(HttpMethod.Get, $"{Organization(org)}/signing-keys", null, HttpStatusCode.OK);
        JsonElement organization = await AdminJsonAsync(HttpMethod.Get, Organization(org), null, HttpStatusCode.OK);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("error").GetString(), Is.EqualTo("conflict"));
            Assert.That(problem.GetProperty("error_description").GetString(), Is.EqualTo(
                $"Organisation '{org.Slug}' cannot rotate to ES256: client 'atlassian' requires RS256 ID tokens (id_token_signed_response_alg); change or remove its pin first."));
            Assert.That(keys.GetProperty("signing_keys").EnumerateArray().Select(k => (k.GetProperty("alg").GetString(), k.GetProperty("state").GetString())),
                Is.EqualTo(new[] { ("RS256", "current") }));
            Assert.That(organization.GetProperty("signing_algorithm").GetString(), Is.EqualTo("RS256"));
        }
    }

    [Test]
    public async Task A_rotation_in_the_pinned_algorithm_goes_ahead()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(Patch, Client(org), """{"id_token_signed_response_alg":"RS256"}""", HttpStatusCode.OK);

        JsonElement key = await AdminJsonAsync(HttpMethod.Post, $"{Organization(org)}/signing-keys/rotate", """{"algorithm":"RS256"}""", HttpStatusCode.Created);

        Assert.That(key.GetProperty("alg").GetString(), Is.EqualTo("RS256"));
    }

    [Test]
    public async Task Once_the_pin_is_removed_the_organisation_may_switch_and_the_client_be_pinned_to_the_new_algorithm()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(Patch, Client(org), """{"id_token_signed_response_alg":"RS256"}""", HttpStatusCode.OK);

        JsonElement unpinned = await AdminJsonAsync(Patch, Client(org), """{"id_token_signed_response_alg":null}""", HttpStatusCode.OK);
        JsonElement organization = await AdminJsonAsync(Patch, Organization(org), """{"signing_algorithm":"ES256"}""", HttpStatusCode.OK);

        // The organisation's keys are still RS256 until a rotation: a pin to ES256 now would be a promise not kept.
        HttpResponseMessage early = await AdminAsync(Patch, Client(org), """{"id_token_signed_response_alg":"ES256"}""");
        JsonElement problem = await ProblemAsync(early, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("error_description").GetString(), Is.EqualTo(
            $"id_token_signed_response_alg is ES256, but organisation '{org.Slug}' still signs with RS256 until its next key activates; pin it once the rotation is done."));

        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/signing-keys/rotate", """{"immediate":true}""", HttpStatusCode.Created);
        JsonElement repinned = await AdminJsonAsync(Patch, Client(org), """{"id_token_signed_response_alg":"ES256"}""", HttpStatusCode.OK);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(unpinned.GetProperty("id_token_signed_response_alg").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(organization.GetProperty("signing_algorithm").GetString(), Is.EqualTo("ES256"));
            Assert.That(repinned.GetProperty("id_token_signed_response_alg").GetString(), Is.EqualTo("ES256"));
            Assert.That(await StoredPinAsync(org, "atlassian"), Is.EqualTo("ES256"));
        }
    }

    [Test]
    public async Task The_database_refuses_an_unknown_pin()
    {
        TestOrganization org = await NewOrganizationAsync();
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "UPDATE clients SET id_token_signed_response_alg = 'HS256' WHERE organization_id = $1 AND client_id = 'atlassian'", connection);
        command.Parameters.AddWithValue(org.Id);

        PostgresException error = (await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync()))!;

        Assert.That(error.ConstraintName, Is.EqualTo("clients_id_token_signed_response_alg_known"));
    }

    private static string PinnedBody(string clientId, string algorithm) => $$"""
        {"client_id":"{{clientId}}","redirect_uris":["https://jira.acme.eu/plugins/servlet/oidc/callback"],
         "token_endpoint_auth_method":"client_secret_post","id_token_signed_response_alg":"{{algorithm}}"}
        """;

    private static string Organization(TestOrganization org) => $"/api/v1/organizations/{org.Slug}";

    private static string Client(TestOrganization org) => $"/api/v1/organizations/{org.Slug}/clients/atlassian";

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<string?> StoredPinAsync(TestOrganization org, string clientId)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id_token_signed_response_alg FROM clients WHERE organization_id = $1 AND client_id = $2", connection);
        command.Parameters.AddWithValue(org.Id);
        command.Parameters.AddWithValue(clientId);
        object? value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : (string?)value;
    }

    private async Task<bool> ClientExistsAsync(TestOrganization org, string clientId)
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/{clientId}");
        return response.StatusCode == HttpStatusCode.OK;
    }
}
