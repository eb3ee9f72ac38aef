using System.Net;
using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Clavex.Tests.Admin;

/// <summary>
/// Issue 6, signing keys: listing, rotation with a publication lead and a retirement delay, the organisation's
/// algorithm, emergency rotation, errors. Moves the server's clock and runs the rotation step itself.
/// </summary>
public class AdminSigningKeyTests : AdminTestBase
{
    private KeyRotation Rotation => Server.Services.GetRequiredService<KeyRotation>();

    [Test]
    public async Task A_new_organisation_lists_one_current_rs256_key_without_private_material()
    {
        TestOrganization org = await NewOrganizationAsync();

        JsonElement body = await AdminJsonAsync(HttpMethod.Get, Keys(org), null, HttpStatusCode.OK);

        JsonElement key = body.GetProperty("signing_keys").EnumerateArray().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.EnumerateObject().Select(p => p.Name),
                Is.EqualTo(new[] { "kid", "alg", "state", "created_at", "activates_at", "activated_at", "retire_after", "retired_at" }));
            Assert.That(key.GetProperty("alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(key.GetProperty("state").GetString(), Is.EqualTo("current"));
            Assert.That(key.GetProperty("activated_at").GetDateTimeOffset(), Is.EqualTo(Server.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(key.GetProperty("retire_after").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(await JwksKidsAsync(org), Is.EqualTo(new[] { key.GetProperty("kid").GetString() }));
        }
    }

    [Test]
    public async Task The_publication_lead_is_longer_than_the_jwks_cache_lifetime_announced()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient client = Server.CreateClient();

        HttpResponseMessage jwks = await client.GetAsync($"/{org.Slug}/jwks");

        Assert.That(jwks.Headers.CacheControl!.MaxAge, Is.EqualTo(JwkSet.CacheLifetime));
        Assert.That(KeyRotation.PublicationLead, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public async Task A_rotated_key_is_published_at_once_but_signs_only_after_the_publication_lead()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        string oldKid = Kid(await IdTokenAsync(org, jira));
        DateTimeOffset rotatedAt = Server.Clock.GetUtcNow();

        JsonElement next = await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);

        string newKid = next.GetProperty("kid").GetString()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(next.GetProperty("state").GetString(), Is.EqualTo("next"));
            Assert.That(next.GetProperty("alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(next.GetProperty("activates_at").GetDateTimeOffset(), Is.EqualTo(rotatedAt + KeyRotation.PublicationLead).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(await JwksKidsAsync(org), Is.EquivalentTo(new[] { oldKid, newKid }), "the next key is in the JWKS at once");
            Assert.That(Kid(await IdTokenAsync(org, jira)), Is.EqualTo(oldKid), "but the old key still signs");
        }

        Server.Clock.Advance(KeyRotation.PublicationLead - TimeSpan.FromSeconds(1));
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        Assert.That(Kid(await IdTokenAsync(org, jira)), Is.EqualTo(oldKid), "one second before the lead has passed");

        Server.Clock.Advance(TimeSpan.FromSeconds(1));
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);

        Assert.That(Kid(await IdTokenAsync(org, jira)), Is.EqualTo(newKid));
        Dictionary<string, JsonElement> states = await KeysByKidAsync(org);
        Assert.That(states[newKid].GetProperty("state").GetString(), Is.EqualTo("current"));
        Assert.That(states[oldKid].GetProperty("state").GetString(), Is.EqualTo("previous"));
        Assert.That(await AuditDetailAsync(org.Id, "key.activated", "kid"), Is.EqualTo(newKid));
        Assert.That(await AuditDetailAsync(org.Id, "key.activated", "actor"), Is.EqualTo("system"));
        Assert.That(await AuditDetailAsync(org.Id, "key.activated", "previous_kid"), Is.EqualTo(oldKid));
    }

    [Test]
    public async Task The_next_key_signs_from_activates_at_even_before_the_rotation_step_has_run()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        await IdTokenAsync(org, jira);
        JsonElement next = await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);

        Server.Clock.Advance(KeyRotation.PublicationLead);

        // Every instance that has read the next key switches at the same instant, whenever the sweep runs.
        Assert.That(Kid(await IdTokenAsync(org, jira)), Is.EqualTo(next.GetProperty("kid").GetString()));
    }

    [Test]
    public async Task A_token_signed_just_before_the_switch_validates_against_the_jwks_fetched_after_it()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);
        Server.Clock.Advance(KeyRotation.PublicationLead - TimeSpan.FromSeconds(1));
        string before = await IdTokenAsync(org, jira);

        Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        string after = await IdTokenAsync(org, jira);
        string jwks = await jira.GetStringAsync($"/{org.Slug}/jwks");

        Assert.That(Kid(after), Is.Not.EqualTo(Kid(before)));
        Assert.That(await ValidateAsync(org, before, jwks), Is.Null, "signed by the previous key, still published");
        Assert.That(await ValidateAsync(org, after, jwks), Is.Null, "signed by the new current key");
    }

    [Test]
    public async Task The_previous_key_leaves_the_jwks_only_after_every_token_it_signed_has_expired()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        string oldKid = Kid(await IdTokenAsync(org, jira));
        await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);
        Server.Clock.Advance(KeyRotation.PublicationLead);
        DateTimeOffset switchedAt = Server.Clock.GetUtcNow();
        await Rotation.RunForOrganizationAsync(org.Id, switchedAt, CancellationToken.None);

        DateTimeOffset retireAfter = switchedAt + KeyRotation.RetirementDelay;
        Assert.That((await KeysByKidAsync(org))[oldKid].GetProperty("retire_after").GetDateTimeOffset(), Is.EqualTo(retireAfter).Within(TimeSpan.FromMilliseconds(1)));

        Server.Clock.Advance(retireAfter - switchedAt - TimeSpan.FromSeconds(1));
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        Assert.That(await JwksKidsAsync(org), Does.Contain(oldKid), "one second before retire_after");
        Assert.That((await KeysByKidAsync(org))[oldKid].GetProperty("state").GetString(), Is.EqualTo("previous"));

        Server.Clock.Advance(TimeSpan.FromSeconds(1));
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);

        JsonElement retired = (await KeysByKidAsync(org))[oldKid];
        Assert.That(await JwksKidsAsync(org), Does.Not.Contain(oldKid));
        Assert.That(retired.GetProperty("state").GetString(), Is.EqualTo("retired"));
        Assert.That(retired.GetProperty("retired_at").GetDateTimeOffset(), Is.EqualTo(Server.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(await PrivateKeyIsWipedAsync(org.Id, oldKid), Is.True);
        Assert.That(await AuditDetailAsync(org.Id, "key.retired", "kid"), Is.EqualTo(oldKid));
        Assert.That(await AuditDetailAsync(org.Id, "key.retired", "actor"), Is.EqualTo("system"));
    }

    [Test]
    public void The_retirement_delay_is_the_longest_token_lifetime_a_client_may_have_plus_clock_skew_and_cache_refresh()
    {
        Assert.That(KeyRotation.RetirementDelay, Is.EqualTo(TimeSpan.FromSeconds(86_400 + 300 + 60)));
    }

    [TestCase(600)]
    [TestCase(86_400)]
    public async Task The_retirement_delay_does_not_depend_on_the_clients_lifetimes_at_the_switch(int accessTokenSeconds)
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian",
            $$$"""{"token_lifetimes":{"access_token":{{{accessTokenSeconds}}}}}""", HttpStatusCode.OK);
        string oldKid = (await KeysByKidAsync(org)).Keys.Single();
        await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);
        Server.Clock.Advance(KeyRotation.PublicationLead);

        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);

        Assert.That((await KeysByKidAsync(org))[oldKid].GetProperty("retire_after").GetDateTimeOffset(),
            Is.EqualTo(Server.Clock.GetUtcNow() + KeyRotation.RetirementDelay).Within(TimeSpan.FromMilliseconds(1)));
    }

    /// <summary>
    /// Review of issue 6 (key retirement): retire_after was computed from the clients' lifetimes at the switch, so a
    /// client lowered from a day to 10 minutes, or deleted, just before it had its day-long tokens' key unpublished
    /// 15 minutes later.
    /// </summary>
    [TestCase("lowered")]
    [TestCase("deleted")]
    public async Task Regression_the_previous_key_outlives_tokens_signed_with_a_lifetime_the_client_no_longer_has(string change)
    {
        TestOrganization org = await NewOrganizationAsync();
        string client = $"/api/v1/organizations/{org.Slug}/clients/atlassian";
        using HttpClient jira = Server.CreateClient();
        await AdminJsonAsync(new HttpMethod("PATCH"), client, """{"token_lifetimes":{"access_token":86400,"id_token":86400}}""", HttpStatusCode.OK);
        string dayLong = await IdTokenAsync(org, jira);
        string oldKid = Kid(dayLong);
        DateTimeOffset exp = DateTimeOffset.FromUnixTimeSeconds(new JsonWebToken(dayLong).GetPayloadValue<long>("exp"));
        if (change == "lowered")
        {
            await AdminJsonAsync(new HttpMethod("PATCH"), client, """{"token_lifetimes":{"access_token":600,"id_token":600}}""", HttpStatusCode.OK);
        }
        else
        {
            await AdminJsonAsync(HttpMethod.Delete, client, null, HttpStatusCode.NoContent);
        }

        await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);
        Server.Clock.Advance(KeyRotation.PublicationLead);
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        DateTimeOffset retireAfter = (await KeysByKidAsync(org))[oldKid].GetProperty("retire_after").GetDateTimeOffset();

        Server.Clock.Advance(exp - Server.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        Assert.That(await ValidateAsync(org, dayLong, await jira.GetStringAsync($"/{org.Slug}/jwks")), Is.Null, "one second before the token's exp");

        Server.Clock.Advance(TimeSpan.FromSeconds(1) + KeyRotation.ClockSkewAllowance);
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        Assert.That(await JwksKidsAsync(org), Does.Contain(oldKid), "at exp + clock skew, when relying parties stop accepting it");
        Assert.That(retireAfter, Is.GreaterThan(Server.Clock.GetUtcNow()));

        Server.Clock.Advance(retireAfter - Server.Clock.GetUtcNow());
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        Assert.That(await JwksKidsAsync(org), Does.Not.Contain(oldKid), "at retire_after");
        Assert.That((await KeysByKidAsync(org))[oldKid].GetProperty("state").GetString(), Is.EqualTo("retired"));
    }

    [Test]
    public async Task Switching_to_es256_takes_effect_at_the_next_rotation_and_es256_id_tokens_validate()
    {
        TestOrganization org = await NewOrganizationAsync();
        await UnpinGuideClientAsync(org);
        using HttpClient jira = Server.CreateClient();

        JsonElement patched = await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}", """{"signing_algorithm":"ES256"}""", HttpStatusCode.OK);

        Assert.That(patched.GetProperty("signing_algorithm").GetString(), Is.EqualTo("ES256"));
        Assert.That(Header(await IdTokenAsync(org, jira), "alg"), Is.EqualTo("RS256"), "the current key signs until the next rotation");
        Assert.That(await DiscoveredAlgorithmsAsync(org, jira), Is.EqualTo(new[] { "RS256" }));

        JsonElement next = await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);
        Assert.That(next.GetProperty("alg").GetString(), Is.EqualTo("ES256"));
        Assert.That(await DiscoveredAlgorithmsAsync(org, jira), Is.EqualTo(new[] { "RS256", "ES256" }), "announced before it signs");

        Server.Clock.Advance(KeyRotation.PublicationLead);
        await Rotation.RunForOrganizationAsync(org.Id, Server.Clock.GetUtcNow(), CancellationToken.None);
        string token = await IdTokenAsync(org, jira);

        Assert.That(Header(token, "alg"), Is.EqualTo("ES256"));
        Assert.That(Kid(token), Is.EqualTo(next.GetProperty("kid").GetString()));
        Assert.That(await ValidateAsync(org, token, await jira.GetStringAsync($"/{org.Slug}/jwks")), Is.Null);
        Assert.That(await DiscoveredAlgorithmsAsync(org, jira), Is.EqualTo(new[] { "ES256", "RS256" }));
    }

    [Test]
    public async Task A_rotation_may_name_its_algorithm_which_becomes_the_organisations()
    {
        TestOrganization org = await NewOrganizationAsync();
        await UnpinGuideClientAsync(org);

        JsonElement next = await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"algorithm":"PS256"}""", HttpStatusCode.Created);

        Assert.That(next.GetProperty("alg").GetString(), Is.EqualTo("PS256"));
        JsonElement organization = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}", null, HttpStatusCode.OK);
        Assert.That(organization.GetProperty("signing_algorithm").GetString(), Is.EqualTo("PS256"));
        Assert.That(await AuditDetailAsync(org.Id, "admin.signing_key.rotation_scheduled", "actor"), Is.EqualTo("admin"));
        Assert.That(await AuditDetailAsync(org.Id, "admin.signing_key.rotation_scheduled", "after"), Does.Contain(next.GetProperty("kid").GetString()));
    }

    /// <summary>
    /// Review of issue 6 (rotation with an algorithm): the rotation changed the organisation's signing_algorithm without
    /// moving its version, so a PATCH with the ETag read before it was applied and silently put the old algorithm back;
    /// and its audit event had no before.
    /// </summary>
    [Test]
    public async Task Regression_a_rotation_that_changes_the_algorithm_moves_the_organisations_etag_and_audits_it()
    {
        TestOrganization org = await NewOrganizationAsync();
        await UnpinGuideClientAsync(org);
        string path = $"/api/v1/organizations/{org.Slug}";
        string etag = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();

        JsonElement next = await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"algorithm":"ES256"}""", HttpStatusCode.Created);
        HttpResponseMessage stale = await PatchAsync(path, """{"signing_algorithm":"RS256"}""", etag);

        HttpResponseMessage current = await AdminAsync(HttpMethod.Get, path);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
            Assert.That((await JsonAsync(stale)).GetProperty("error").GetString(), Is.EqualTo("precondition_failed"));
            Assert.That(current.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            Assert.That((await JsonAsync(current)).GetProperty("signing_algorithm").GetString(), Is.EqualTo("ES256"));
            Assert.That(await AuditDetailAsync(org.Id, "admin.signing_key.rotation_scheduled", "before"), Is.EqualTo("""{"signing_algorithm":"RS256"}"""));
            string after = (await AuditDetailAsync(org.Id, "admin.signing_key.rotation_scheduled", "after"))!;
            Assert.That(JsonDocument.Parse(after).RootElement.GetProperty("signing_algorithm").GetString(), Is.EqualTo("ES256"));
            Assert.That(JsonDocument.Parse(after).RootElement.GetProperty("kid").GetString(), Is.EqualTo(next.GetProperty("kid").GetString()));
        }
    }

    [Test]
    public async Task A_rotation_in_the_organisations_own_algorithm_leaves_its_etag_alone()
    {
        TestOrganization org = await NewOrganizationAsync();
        string path = $"/api/v1/organizations/{org.Slug}";
        string etag = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();

        await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"algorithm":"RS256"}""", HttpStatusCode.Created);

        Assert.That((await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString(), Is.EqualTo(etag));
        Assert.That(await AuditDetailAsync(org.Id, "admin.signing_key.rotation_scheduled", "before"), Is.EqualTo("""{"signing_algorithm":"RS256"}"""));
    }

    [Test]
    public async Task A_rotation_with_a_stale_if_match_is_412_and_creates_no_key_nor_changes_the_algorithm()
    {
        TestOrganization org = await NewOrganizationAsync();
        string path = $"/api/v1/organizations/{org.Slug}";
        string stale = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();
        await AdminJsonAsync(HttpMethod.Patch, path, """{"display_name":"Moved"}""", HttpStatusCode.OK);
        string current = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();

        HttpResponseMessage refused = await SendAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"algorithm":"ES256"}""", stale);

        JsonElement organization = await AdminJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
            Assert.That(refused.Headers.ETag!.ToString(), Is.EqualTo(current).And.Not.EqualTo(stale));
            JsonElement error = await JsonAsync(refused);
            Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("precondition_failed"));
            Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith($"If-Match does not match the current ETag of organisation '{org.Slug}'"));
            Assert.That((await KeysByKidAsync(org)).Count, Is.EqualTo(1));
            Assert.That(organization.GetProperty("signing_algorithm").GetString(), Is.EqualTo("RS256"));
            Assert.That((await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString(), Is.EqualTo(current));
        }
    }

    [Test]
    public async Task A_rotation_with_the_current_if_match_is_201_and_a_second_one_with_the_same_etag_is_412()
    {
        TestOrganization org = await NewOrganizationAsync();
        await UnpinGuideClientAsync(org);
        string path = $"/api/v1/organizations/{org.Slug}";
        string etag = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();

        HttpResponseMessage rotated = await SendAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"algorithm":"ES256"}""", etag);
        string moved = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();
        HttpResponseMessage again = await SendAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"algorithm":"PS256","immediate":true}""", etag);

        JsonElement organization = await AdminJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.Created), await rotated.Content.ReadAsStringAsync());
            Assert.That((await JsonAsync(rotated)).GetProperty("alg").GetString(), Is.EqualTo("ES256"));
            Assert.That(moved, Is.Not.EqualTo(etag));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
            Assert.That(again.Headers.ETag!.ToString(), Is.EqualTo(moved));
            Assert.That(organization.GetProperty("signing_algorithm").GetString(), Is.EqualTo("ES256"));
            Assert.That((await KeysByKidAsync(org)).Values.Select(k => k.GetProperty("alg").GetString()), Is.EquivalentTo(new[] { "RS256", "ES256" }));
        }
    }

    /// <summary>
    /// Review of the If-Match fix (SHOULD-FIX): the rotation evaluated If-Match against the version read before it
    /// locked the organisation, so a change that landed in between was silently overwritten. Here the change holds the
    /// row lock while the rotation (with the ETag that was current when it read it) waits for it.
    /// </summary>
    [Test]
    public async Task Regression_a_change_landing_between_the_read_and_the_row_lock_makes_the_rotation_412()
    {
        TestOrganization org = await NewOrganizationAsync();
        string path = $"/api/v1/organizations/{org.Slug}";
        string etag = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlConnection change = await dataSource.OpenConnectionAsync();
        await using NpgsqlTransaction transaction = await change.BeginTransactionAsync();
        await ExecuteAsync(change, transaction, "SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE", org.Id);

        Task<HttpResponseMessage> rotation = SendAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"algorithm":"ES256"}""", etag);
        await WaitUntilBlockedByAsync(dataSource, change.ProcessID, rotation);
        // What a PATCH of the organisation writes.
        await ExecuteAsync(change, transaction, "UPDATE organizations SET display_name = 'Moved', version = version + 1 WHERE id = $1", org.Id);
        await transaction.CommitAsync();
        HttpResponseMessage refused = await rotation;

        JsonElement organization = await AdminJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK);
        string current = (await AdminAsync(HttpMethod.Get, path)).Headers.ETag!.ToString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), await refused.Content.ReadAsStringAsync());
            Assert.That((await JsonAsync(refused)).GetProperty("error").GetString(), Is.EqualTo("precondition_failed"));
            Assert.That(refused.Headers.ETag!.ToString(), Is.EqualTo(current).And.Not.EqualTo(etag));
            Assert.That((await KeysByKidAsync(org)).Count, Is.EqualTo(1));
            Assert.That(organization.GetProperty("signing_algorithm").GetString(), Is.EqualTo("RS256"));
            Assert.That(organization.GetProperty("display_name").GetString(), Is.EqualTo("Moved"));
        }
    }

    [Test]
    public async Task An_organisation_created_with_es256_gets_an_es256_first_key()
    {
        string slug = NewSlug();

        JsonElement created = await AdminJsonAsync(HttpMethod.Post, "/api/v1/organizations",
            $$"""{"slug":"{{slug}}","display_name":"Acme","signing_algorithm":"ES256","key_rotation_days":30}""", HttpStatusCode.Created);

        Assert.That(created.GetProperty("signing_algorithm").GetString(), Is.EqualTo("ES256"));
        Assert.That(created.GetProperty("key_rotation_days").GetInt32(), Is.EqualTo(30));
        JsonElement keys = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{slug}/signing-keys", null, HttpStatusCode.OK);
        Assert.That(keys.GetProperty("signing_keys")[0].GetProperty("alg").GetString(), Is.EqualTo("ES256"));
    }

    [Test]
    public async Task Key_rotation_days_defaults_to_90_and_null_turns_scheduled_rotation_off()
    {
        TestOrganization org = await NewOrganizationAsync();
        string path = $"/api/v1/organizations/{org.Slug}";

        JsonElement initial = await AdminJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK);
        JsonElement thirty = await AdminJsonAsync(new HttpMethod("PATCH"), path, """{"key_rotation_days":30}""", HttpStatusCode.OK);
        JsonElement off = await AdminJsonAsync(new HttpMethod("PATCH"), path, """{"key_rotation_days":null}""", HttpStatusCode.OK);
        JsonElement renamed = await AdminJsonAsync(new HttpMethod("PATCH"), path, """{"display_name":"Acme AB"}""", HttpStatusCode.OK);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(initial.GetProperty("key_rotation_days").GetInt32(), Is.EqualTo(90));
            Assert.That(initial.GetProperty("signing_algorithm").GetString(), Is.EqualTo("RS256"));
            Assert.That(thirty.GetProperty("key_rotation_days").GetInt32(), Is.EqualTo(30));
            Assert.That(off.GetProperty("key_rotation_days").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(renamed.GetProperty("key_rotation_days").ValueKind, Is.EqualTo(JsonValueKind.Null), "absent leaves it as it is");
            Assert.That(await AuditDetailAsync(org.Id, "admin.organization.updated", "after"), Does.Contain("\"key_rotation_days\":null"));
        }
    }

    [Test]
    public async Task Rotating_while_a_next_key_is_pending_is_a_conflict()
    {
        TestOrganization org = await NewOrganizationAsync();
        JsonElement next = await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", null, HttpStatusCode.Created);

        HttpResponseMessage again = await AdminAsync(HttpMethod.Post, $"{Keys(org)}/rotate");

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        JsonElement error = await JsonAsync(again);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("conflict"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith($"Signing key '{next.GetProperty("kid").GetString()}' is already published"));
        Assert.That((await KeysByKidAsync(org)).Count, Is.EqualTo(2));
    }

    [Test]
    public async Task An_immediate_rotation_signs_with_a_new_key_at_once_and_unpublishes_the_old_one()
    {
        TestOrganization org = await NewOrganizationAsync();
        using HttpClient jira = Server.CreateClient();
        string oldKid = Kid(await IdTokenAsync(org, jira));

        JsonElement key = await AdminJsonAsync(HttpMethod.Post, $"{Keys(org)}/rotate", """{"immediate":true}""", HttpStatusCode.Created);

        string newKid = key.GetProperty("kid").GetString()!;
        Assert.That(key.GetProperty("state").GetString(), Is.EqualTo("current"));
        Assert.That(key.GetProperty("unpublished").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { oldKid }));
        Assert.That(Kid(await IdTokenAsync(org, jira)), Is.EqualTo(newKid));
        Assert.That(await JwksKidsAsync(org), Is.EqualTo(new[] { newKid }));
        Assert.That((await KeysByKidAsync(org))[oldKid].GetProperty("state").GetString(), Is.EqualTo("retired"));
        Assert.That(await PrivateKeyIsWipedAsync(org.Id, oldKid), Is.True);
        Assert.That(await AuditDetailAsync(org.Id, "admin.signing_key.rotated_immediately", "after"), Does.Contain(oldKid));
    }

    [TestCase("""{"algorithm":"HS256"}""", "algorithm must be RS256, PS256 or ES256; 'HS256' is not a signing algorithm Clavex supports.")]
    [TestCase("""{"algorithm":"none"}""", "algorithm must be RS256, PS256 or ES256; 'none' is not a signing algorithm Clavex supports.")]
    [TestCase("""{"algorithm":256}""", "algorithm must be a string.")]
    [TestCase("""{"immediate":"yes"}""", "immediate must be true or false.")]
    [TestCase("""{"alg":"ES256"}""", "alg is not a field Clavex knows here.")]
    public async Task A_malformed_rotation_request_is_400_naming_the_field(string body, string description)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"{Keys(org)}/rotate", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(error.GetProperty("error_description").GetString(), Is.EqualTo(description));
        Assert.That((await KeysByKidAsync(org)).Count, Is.EqualTo(1), "nothing was written");
    }

    [TestCase("""{"signing_algorithm":"RS384"}""", "signing_algorithm must be RS256, PS256 or ES256; 'RS384' is not a signing algorithm Clavex supports.")]
    [TestCase("""{"key_rotation_days":0}""", "key_rotation_days must be 1 to 3650 days, or null for no scheduled rotation; it is 0.")]
    [TestCase("""{"key_rotation_days":3651}""", "key_rotation_days must be 1 to 3650 days, or null for no scheduled rotation; it is 3651.")]
    [TestCase("""{"key_rotation_days":"90"}""", "key_rotation_days must be a whole number.")]
    [TestCase("""{}""", "The body must set display_name, signing_algorithm, key_rotation_days, mfa_policy, mfa_groups, mfa_grace_period_seconds, mfa_factors, passwordless, password_min_length, logo_uri, accent_color or request_limits.")]
    public async Task A_malformed_organisation_patch_is_400_naming_the_field(string body, string description)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(error.GetProperty("error_description").GetString(), Is.EqualTo(description));
        JsonElement unchanged = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}", null, HttpStatusCode.OK);
        Assert.That(unchanged.GetProperty("signing_algorithm").GetString(), Is.EqualTo("RS256"));
        Assert.That(unchanged.GetProperty("key_rotation_days").GetInt32(), Is.EqualTo(90));
    }

    [Test]
    public async Task An_unknown_organisation_is_404_and_a_missing_token_401()
    {
        string unknown = NewSlug();

        HttpResponseMessage list = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{unknown}/signing-keys");
        HttpResponseMessage rotate = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{unknown}/signing-keys/rotate");
        TestOrganization org = await NewOrganizationAsync();
        HttpResponseMessage anonymousList = await AdminAsync(HttpMethod.Get, Keys(org), token: null);
        HttpResponseMessage anonymousRotate = await AdminAsync(HttpMethod.Post, $"{Keys(org)}/rotate", token: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await JsonAsync(list)).GetProperty("error_description").GetString(), Is.EqualTo($"There is no organisation '{unknown}'."));
            Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(anonymousList.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(anonymousRotate.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await KeysByKidAsync(org)).Count, Is.EqualTo(1));
        }
    }

    private Task<HttpResponseMessage> PatchAsync(string path, string json, string ifMatch) => SendAsync(HttpMethod.Patch, path, json, ifMatch);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string json, string ifMatch)
    {
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ClavexTestServer.AdminToken);
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, long organizationId)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue(organizationId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits (bounded) until some backend waits for a lock the backend <paramref name="processId"/> holds.</summary>
    private static async Task WaitUntilBlockedByAsync(NpgsqlDataSource dataSource, int processId, Task request)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using NpgsqlCommand blocked = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))");
        blocked.Parameters.AddWithValue(processId);
        while ((long)(await blocked.ExecuteScalarAsync())! == 0 && !request.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.That(request.IsCompleted, Is.False, "the rotation did not wait for the organisation's row lock");
    }

    private static string Keys(TestOrganization org) => $"/api/v1/organizations/{org.Slug}/signing-keys";

    private async Task<Dictionary<string, JsonElement>> KeysByKidAsync(TestOrganization org)
    {
        JsonElement body = await AdminJsonAsync(HttpMethod.Get, Keys(org), null, HttpStatusCode.OK);
        return body.GetProperty("signing_keys").EnumerateArray().ToDictionary(k => k.GetProperty("kid").GetString()!);
    }

    private async Task<string[]> JwksKidsAsync(TestOrganization org)
    {
        using HttpClient client = Server.CreateClient();
        using JsonDocument jwks = JsonDocument.Parse(await client.GetStringAsync($"/{org.Slug}/jwks"));
        return [.. jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    private static async Task<string[]> DiscoveredAlgorithmsAsync(TestOrganization org, HttpClient client)
    {
        using JsonDocument discovery = JsonDocument.Parse(await client.GetStringAsync($"/{org.Slug}/.well-known/openid-configuration"));
        return [.. discovery.RootElement.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()!)];
    }

    private async Task<string> IdTokenAsync(TestOrganization org, HttpClient jira) =>
        (await SignInAndRedeemAsync(org, jira)).GetProperty("id_token").GetString()!;

    private static string Kid(string jwt) => Header(jwt, "kid");

    private static string Header(string jwt, string name) => new JsonWebToken(jwt).GetHeaderValue<string>(name);

    /// <summary>Validates as a relying party would, at the server's clock; null when valid, else why not.</summary>
    private async Task<string?> ValidateAsync(TestOrganization org, string token, string jwks)
    {
        DateTime now = Server.Clock.GetUtcNow().UtcDateTime;
        TokenValidationResult result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = org.Issuer,
            ValidAudience = "atlassian",
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            LifetimeValidator = (notBefore, expires, _, _) => expires > now && (notBefore is null || notBefore <= now),
        });
        return result.IsValid ? null : result.Exception?.Message ?? "invalid";
    }

    private static async Task<bool> PrivateKeyIsWipedAsync(long organizationId, string kid)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand("SELECT private_key IS NULL FROM signing_keys WHERE organization_id = $1 AND kid = $2");
        command.Parameters.AddWithValue(organizationId);
        command.Parameters.AddWithValue(kid);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
