using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clavex.Tests.Support;

namespace Clavex.Tests.Admin;

/// <summary>Client registration over the admin API, down to a real sign-in with the secret it returns.</summary>
public class AdminClientTests : AdminTestBase
{
    [Test]
    public async Task Admin_error_bodies_write_quotes_as_they_are()
    {
        string unknown = NewSlug();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{unknown}/clients");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain($"\"error_description\":\"There is no organisation '{unknown}'.\""));
    }

    [Test]
    public async Task The_guide_registration_answers_201_with_a_one_time_secret_that_signs_alice_in()
    {
        string slug = NewSlug();
        await AdminJsonAsync(HttpMethod.Post, "/api/v1/organizations", $$"""{"slug":"{{slug}}","display_name":"Acme"}""", HttpStatusCode.Created);
        await CreateGroupsAsync(slug, "jira-software-users");
        JsonElement alice = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{slug}/users",
            $$"""{"username":"alice","password":"{{AlicePassword}}","groups":["jira-software-users"]}""", HttpStatusCode.Created);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{slug}/clients", GuideClientBody);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location!.OriginalString, Is.EqualTo($"/api/v1/organizations/{slug}/clients/atlassian"));
        Assert.That(response.Headers.CacheControl!.NoStore, Is.True);
        JsonElement body = await JsonAsync(response);
        Assert.That(body.GetProperty("client_id").GetString(), Is.EqualTo("atlassian"));
        Assert.That(body.GetProperty("client_name").GetString(), Is.EqualTo("Jira + Confluence"));
        Assert.That(body.GetProperty("token_endpoint_auth_method").GetString(), Is.EqualTo("client_secret_post"));
        Assert.That(body.GetProperty("grant_types").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "authorization_code", "refresh_token" }));
        Assert.That(body.GetProperty("redirect_uris").GetArrayLength(), Is.EqualTo(2));
        Assert.That(body.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "openid", "profile", "email", "groups" }));
        Assert.That(body.GetProperty("enabled").GetBoolean(), Is.True);
        string secret = body.GetProperty("client_secret").GetString()!;
        Assert.That(secret, Does.Match("^cs_[A-Za-z0-9]{43}$"));

        var org = new TestOrganization(0, slug, alice.GetProperty("sub").GetString()!, secret, AlicePassword, string.Empty);
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage token = await RedeemAsync(org, await SignInAsync(browser, org), secret);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
        Assert.That(IdTokenClaim(await JsonAsync(token), "groups"), Is.EqualTo("""["jira-software-users"]"""));

        JsonElement fetched = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}/clients/atlassian", null, HttpStatusCode.OK);
        Assert.That(fetched.TryGetProperty("client_secret", out _), Is.False);
    }

    [Test]
    public async Task Without_a_token_the_api_answers_401_with_a_bearer_challenge()
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, "/api/v1/organizations", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Bearer"));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_token"));
    }

    [TestCase("adm_test_0123456789abcdefghijklmnopqrstuvwxyZ")]
    [TestCase("$ADMIN_TOKEN")]
    [TestCase("x")]
    public async Task A_wrong_token_answers_401(string token)
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{NewSlug()}/clients", GuideClientBody, token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task The_guide_curl_quoting_sends_an_unexpanded_variable_and_is_told_so()
    {
        // Step 1 of the guide has -H 'Authorization: Bearer $ADMIN_TOKEN': single quotes, so the shell sends it literally.
        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{NewSlug()}/clients", GuideClientBody, "$ADMIN_TOKEN");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.Contain("double quotes"));
    }

    [Test]
    public async Task An_unknown_organisation_answers_404()
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{NewSlug()}/clients", GuideClientBody);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("not_found"));
    }

    [Test]
    public async Task Registering_the_same_client_id_twice_answers_409_and_keeps_the_first()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", GuideClientBody);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.Contain("client_id 'atlassian'"));
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage token = await RedeemAsync(org, await SignInAsync(browser, org), org.ClientSecret);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("""{"redirect_uris":["jira.acme.eu/callback"]}""", "invalid_redirect_uri", "redirect_uris[0]")]
    [TestCase("""{"redirect_uris":["https://jira.acme.eu/cb#top"]}""", "invalid_redirect_uri", "redirect_uris[0]")]
    [TestCase("""{"redirect_uris":["https://jira.acme.eu/cb","http://jira.acme.eu/cb"]}""", "invalid_redirect_uri", "redirect_uris[1]")]
    [TestCase("""{"redirect_uris":["com.acme.jira:/callback"]}""", "invalid_redirect_uri", "redirect_uris[0]")]
    [TestCase("""{"application_type":"native","redirect_uris":["javascript:alert(1)"]}""", "invalid_redirect_uri", "redirect_uris[0]")]
    [TestCase("""{"post_logout_redirect_uris":["http://jira.acme.eu/"]}""", "invalid_redirect_uri", "post_logout_redirect_uris[0]")]
    [TestCase("""{"redirect_uris":[]}""", "invalid_redirect_uri", "redirect_uris")]
    [TestCase("""{"grant_types":["authorization_code","password"]}""", "invalid_client_metadata", "grant_types")]
    [TestCase("""{"grant_types":["refresh_token"]}""", "invalid_client_metadata", "grant_types")]
    [TestCase("""{"token_endpoint_auth_method":"client_secret_jwt"}""", "invalid_client_metadata", "token_endpoint_auth_method")]
    [TestCase("""{"token_endpoint_auth_method":"none","grant_types":["authorization_code","client_credentials"]}""", "invalid_client_metadata", "grant_types")]
    [TestCase("""{"token_endpoint_auth_method":"none","client_secret":"cs_mine"}""", "invalid_client_metadata", "client_secret")]
    [TestCase("""{"token_endpoint_auth_method":"private_key_jwt"}""", "invalid_client_metadata", "jwks")]
    [TestCase("""{"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}}""", "invalid_client_metadata", "jwks")]
    [TestCase("""{"claim_mapping":{"extra_claims":[{"name":"sub","value":"x"}]}}""", "invalid_client_metadata", "claim_mapping.extra_claims[0].name")]
    [TestCase("""{"claim_mapping":{"groups_claim_name":"iss"}}""", "invalid_client_metadata", "claim_mapping.groups_claim_name")]
    [TestCase("""{"claim_mapping":{"preferred_username_source":"phone"}}""", "invalid_client_metadata", "claim_mapping.preferred_username_source")]
    [TestCase("""{"token_lifetimes":{"access_token":5}}""", "invalid_client_metadata", "token_lifetimes.access_token")]
    [TestCase("""{"token_lifetimes":{"access_token":86401}}""", "invalid_client_metadata", "token_lifetimes.access_token")]
    [TestCase("""{"token_lifetimes":{"id_token":86401}}""", "invalid_client_metadata", "token_lifetimes.id_token")]
    [TestCase("""{"token_lifetimes":{"refresh_token_absolute":999999999}}""", "invalid_client_metadata", "token_lifetimes.refresh_token_absolute")]
    [TestCase("""{"token_lifetimes":{"id_token":"300"}}""", "invalid_client_metadata", "token_lifetimes.id_token")]
    [TestCase("""{"client_id":"atlassian client"}""", "invalid_client_metadata", "client_id")]
    [TestCase("""{"client_id":""}""", "invalid_client_metadata", "client_id")]
    [TestCase("""{"scopes":"openid profile"}""", "invalid_client_metadata", "scopes")]
    [TestCase("""{"require_pkce":"yes"}""", "invalid_client_metadata", "require_pkce")]
    [TestCase("""{"logo_uri":"https://acme.eu/logo.png"}""", "invalid_client_metadata", "logo_uri")]
    public async Task Invalid_metadata_answers_400_naming_the_field(string change, string error, string field)
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonObject body = JsonNode.Parse(GuideClientBody)!.AsObject();
        body["client_id"] = "other";
        foreach ((string name, JsonNode? value) in JsonNode.Parse(change)!.AsObject())
        {
            body[name] = value?.DeepClone();
        }

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", body.ToJsonString());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement problem = await JsonAsync(response);
        Assert.That(problem.GetProperty("error").GetString(), Is.EqualTo(error));
        Assert.That(problem.GetProperty("error_description").GetString(), Does.StartWith(field).Or.Contain(" " + field));
        HttpResponseMessage missing = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/other");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing is written on a failed registration");
    }

    [TestCase("""{"client_id": "atlassian",""")]
    [TestCase("[1,2]")]
    [TestCase("")]
    public async Task A_body_that_is_not_a_json_object_answers_400(string body)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement problem = await JsonAsync(response);
        Assert.That(problem.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(problem.GetProperty("error_description").GetString(), Does.Contain("JSON"));
    }

    [Test]
    public async Task A_patched_redirect_uri_is_accepted_at_authorize()
    {
        TestOrganization org = await NewOrganizationAsync();
        const string NewCallback = "https://jira2.acme.eu/plugins/servlet/oidc/callback";

        JsonElement patched = await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian",
            $$"""{"redirect_uris":["{{NewCallback}}"]}""", HttpStatusCode.OK);

        Assert.That(patched.GetProperty("redirect_uris").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { NewCallback }));
        Assert.That(patched.GetProperty("client_name").GetString(), Is.EqualTo("Jira + Confluence"), "fields not in the patch are kept");
        using HttpClient browser = Server.CreateClient();
        string url = AuthorizeUrl(org).Replace(Uri.EscapeDataString(JiraCallback), Uri.EscapeDataString(NewCallback), StringComparison.OrdinalIgnoreCase)
            .Replace(System.Web.HttpUtility.UrlEncode(JiraCallback), System.Web.HttpUtility.UrlEncode(NewCallback), StringComparison.OrdinalIgnoreCase);
        Uri callback = await SignInAsync(browser, org, url);
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(NewCallback));
        HttpResponseMessage token = await RedeemAsync(org, callback, org.ClientSecret, NewCallback);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), await token.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_merge_patch_media_type_is_accepted_and_form_bodies_are_not()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ClavexTestServer.AdminToken);

        HttpResponseMessage patched = await client.PatchAsync($"/api/v1/organizations/{org.Slug}/clients/atlassian",
            new StringContent("""{"client_name":"Jira"}""", System.Text.Encoding.UTF8, "application/merge-patch+json"));
        HttpResponseMessage form = await client.PatchAsync($"/api/v1/organizations/{org.Slug}/clients/atlassian",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("client_name", "Jira")]));

        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(form.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(form)).GetProperty("error_description").GetString(), Does.Contain("Content-Type"));
    }

    [Test]
    public async Task A_patch_is_validated_as_a_whole_and_writes_nothing_when_refused()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian",
            """{"client_name":"Renamed","grant_types":["refresh_token"]}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_client_metadata"));
        JsonElement client = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/atlassian", null, HttpStatusCode.OK);
        Assert.That(client.GetProperty("client_name").GetString(), Is.EqualTo("Jira + Confluence"));
    }

    [TestCase("""{"client_name":"a","client_name":"b"}""", "client_name")]
    [TestCase("""{"claim_mapping":{"group_prefix":"a","group_prefix":"b"}}""", "claim_mapping.group_prefix")]
    [TestCase("""{"token_lifetimes":{"access_token":"600"}}""", "token_lifetimes.access_token")]
    [TestCase("""{"client_id":"renamed"}""", "client_id")]
    [TestCase("""[]""", "JSON object")]
    public async Task A_malformed_patch_answers_400(string patch, string field)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", patch);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.Contain(field));
    }

    [Test]
    public async Task A_disabled_client_cannot_redeem_codes()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);

        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"enabled":false}""", HttpStatusCode.OK);
        HttpResponseMessage token = await RedeemAsync(org, callback, org.ClientSecret);

        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(token)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task A_deleted_client_can_no_longer_get_tokens()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org);

        HttpResponseMessage deleted = await AdminAsync(HttpMethod.Delete, $"/api/v1/organizations/{org.Slug}/clients/atlassian");
        HttpResponseMessage token = await RedeemAsync(org, callback, org.ClientSecret);

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonAsync(token)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        HttpResponseMessage again = await AdminAsync(HttpMethod.Delete, $"/api/v1/organizations/{org.Slug}/clients/atlassian");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Clients_are_listed_without_secrets()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"cli","grant_types":["authorization_code"],"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none","application_type":"native"}""",
            HttpStatusCode.Created);

        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients");

        string text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        JsonElement list = JsonDocument.Parse(text).RootElement.GetProperty("clients");
        Assert.That(list.EnumerateArray().Select(c => c.GetProperty("client_id").GetString()), Is.EqualTo(new[] { "atlassian", "cli" }));
        Assert.That(text, Does.Not.Contain("cs_"));
        Assert.That(text, Does.Not.Contain(org.ClientSecret));
    }

    [Test]
    public async Task A_private_key_jwt_client_keeps_its_public_keys_and_gets_no_secret()
    {
        TestOrganization org = await NewOrganizationAsync();
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var key = rsa.ExportParameters(false);
        string jwks = $$"""{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(key.Modulus)}}","e":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(key.Exponent)}}"}]}""";

        JsonElement body = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            $$"""{"client_id":"svc","grant_types":["client_credentials"],"scopes":["api"],"token_endpoint_auth_method":"private_key_jwt","jwks":{{jwks}}}""",
            HttpStatusCode.Created);

        Assert.That(body.TryGetProperty("client_secret", out _), Is.False);
        JsonElement stored = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/clients/svc", null, HttpStatusCode.OK);
        Assert.That(stored.GetProperty("jwks").GetProperty("keys")[0].GetProperty("kid").GetString(), Is.EqualTo("k1"));
        HttpResponseMessage rotation = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients/svc/secrets");
        Assert.That(rotation.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_native_client_may_register_a_private_use_scheme()
    {
        TestOrganization org = await NewOrganizationAsync();

        JsonElement body = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"desktop","application_type":"native","token_endpoint_auth_method":"none","redirect_uris":["eu.acme.desktop:/oauth2redirect","http://127.0.0.1/callback"]}""",
            HttpStatusCode.Created);

        Assert.That(body.GetProperty("application_type").GetString(), Is.EqualTo("native"));
    }

    [Test]
    public async Task A_public_client_is_given_no_secret()
    {
        TestOrganization org = await NewOrganizationAsync();

        JsonElement body = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/clients",
            """{"client_id":"spa","redirect_uris":["https://app.acme.eu/cb"],"token_endpoint_auth_method":"none"}""", HttpStatusCode.Created);

        Assert.That(body.TryGetProperty("client_secret", out _), Is.False);
    }
}
