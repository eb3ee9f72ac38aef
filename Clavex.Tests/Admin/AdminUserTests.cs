using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Admin;

/// <summary>Users over the admin API: creation, search and paging, passwords, and disabling that takes effect at once.</summary>
public class AdminUserTests : AdminTestBase
{
    [Test]
    public async Task A_created_user_gets_a_random_subject_and_no_password_hash_is_shown()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users",
            """{"username":"bob","password":"hunter2hunter2","email":"bob@acme.eu","address":{"country":"SE"},"attributes":{"department":"R&D"},"groups":["jira-software-users"]}""");

        string text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        JsonElement user = JsonDocument.Parse(text).RootElement;
        string sub = user.GetProperty("sub").GetString()!;
        Assert.That(sub, Does.Not.Contain("bob"));
        Assert.That(response.Headers.Location!.OriginalString, Is.EqualTo($"/api/v1/organizations/{org.Slug}/users/{sub}"));
        Assert.That(user.GetProperty("username").GetString(), Is.EqualTo("bob"));
        Assert.That(user.GetProperty("address").GetProperty("country").GetString(), Is.EqualTo("SE"));
        Assert.That(user.GetProperty("attributes").GetProperty("department").GetString(), Is.EqualTo("R&D"));
        Assert.That(user.GetProperty("groups")[0].GetString(), Is.EqualTo("jira-software-users"));
        Assert.That(text, Does.Not.Contain("argon2").And.Not.Contain("hunter2"));
    }

    [Test]
    public async Task A_user_is_created_only_into_groups_that_exist_so_a_typo_makes_no_group()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users",
            """{"username":"bob","groups":["jira-software-users","jira-adminstrators"]}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        JsonElement error = await JsonAsync(response);
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith("groups: there is no group 'jira-adminstrators' in organisation"));
        JsonElement groups = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/groups", null, HttpStatusCode.OK);
        Assert.That(groups.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString()), Does.Not.Contain("jira-adminstrators"));
        JsonElement users = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?username=bob", null, HttpStatusCode.OK);
        Assert.That(users.GetProperty("users").GetArrayLength(), Is.Zero, "bob was not created");
    }

    [Test]
    public async Task The_user_list_finds_a_username_exactly_lists_a_groups_members_and_refuses_unknown_parameters()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", """{"username":"alicia","groups":["confluence-users"]}""", HttpStatusCode.Created);
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", """{"username":"bob"}""", HttpStatusCode.Created);

        JsonElement exact = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?username=ALICE", null, HttpStatusCode.OK);
        Assert.That(exact.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("sub").GetString()), Is.EqualTo(new[] { org.AliceSubject }));
        JsonElement members = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?group=confluence-users", null, HttpStatusCode.OK);
        Assert.That(members.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("username").GetString()), Is.EquivalentTo(new[] { "alice", "alicia" }));
        JsonElement unknownGroup = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?group=confluence-user", null, HttpStatusCode.NotFound);
        Assert.That(unknownGroup.GetProperty("error_description").GetString(), Does.Contain("There is no group 'confluence-user'"));
        JsonElement typo = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?serach=alice", null, HttpStatusCode.BadRequest);
        Assert.That(typo.GetProperty("error_description").GetString(), Does.StartWith("'serach' is not a parameter of this list"));
        await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?limit=1&limit=2", null, HttpStatusCode.BadRequest);
    }

    [TestCase("""{"username":"ALICE"}""", HttpStatusCode.Conflict, "username")]
    [TestCase("""{"username":"carol","password":"short"}""", HttpStatusCode.BadRequest, "password")]
    [TestCase("""{"username":" carol"}""", HttpStatusCode.BadRequest, "username")]
    [TestCase("""{"username":"carol","email":"not-an-address"}""", HttpStatusCode.BadRequest, "email")]
    [TestCase("""{"username":"carol","email_verified":"yes"}""", HttpStatusCode.BadRequest, "email_verified")]
    [TestCase("""{"username":"carol","sub":"chosen"}""", HttpStatusCode.BadRequest, "sub")]
    [TestCase("""{"name":"Carol"}""", HttpStatusCode.BadRequest, "username")]
    public async Task A_refused_user_answers_with_the_field_and_is_not_created(string body, HttpStatusCode status, string field)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", body);

        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That((await JsonAsync(response)).GetProperty("error_description").GetString(), Does.Contain(field));
        JsonElement list = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users", null, HttpStatusCode.OK);
        Assert.That(list.GetProperty("users").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task Disabling_a_user_revokes_its_refresh_tokens_and_ends_its_sessions()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"always_issue_refresh_token":true}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        JsonElement tokens = await JsonAsync(await RedeemAsync(org, await SignInAsync(browser, org), org.ClientSecret));
        string refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        HttpResponseMessage disabled = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/disable");

        Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        HttpResponseMessage refresh = await RefreshAsync(org, refreshToken, org.ClientSecret);
        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(refresh)).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        HttpResponseMessage page = await browser.GetAsync(AuthorizeUrl(org));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the session is gone, so the login page is shown again");
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("name=\"password\""));
        JsonElement user = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.OK);
        Assert.That(user.GetProperty("enabled").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Signing_a_user_out_everywhere_ends_its_sessions_and_tokens_and_leaves_the_account_enabled()
    {
        TestOrganization org = await NewOrganizationAsync();
        TestOrganization bystanders = await NewOrganizationAsync();
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"always_issue_refresh_token":true}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        using HttpClient laptop = Server.CreateClient();
        JsonElement tokens = await JsonAsync(await RedeemAsync(org, await SignInAsync(browser, org), org.ClientSecret));
        await SignInAsync(laptop, org);
        using HttpClient elsewhere = Server.CreateClient();
        await SignInAsync(elsewhere, bystanders);
        EntityTagHeaderValue? before = (await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}")).Headers.ETag;

        JsonElement ended = await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/sign-out", null, HttpStatusCode.OK);

        Assert.That(ended.GetProperty("sessions_ended").GetInt32(), Is.EqualTo(2));
        Assert.That(ended.GetProperty("grants_revoked").GetInt32(), Is.EqualTo(1), "the browser's redeemed code made a grant; the laptop's code was never redeemed");
        HttpResponseMessage refresh = await RefreshAsync(org, tokens.GetProperty("refresh_token").GetString()!, org.ClientSecret);
        Assert.That((await JsonAsync(refresh)).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        foreach (HttpClient signedIn in new[] { browser, laptop })
        {
            HttpResponseMessage page = await signedIn.GetAsync(AuthorizeUrl(org));
            Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("name=\"password\""), "each session is gone");
        }

        Assert.That((await elsewhere.GetAsync(AuthorizeUrl(bystanders))).StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "alice of another organisation stays signed in");
        HttpResponseMessage after = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}");
        Assert.That((await JsonAsync(after)).GetProperty("enabled").GetBoolean(), Is.True);
        Assert.That(after.Headers.ETag, Is.EqualTo(before).And.Not.Null, "the account itself did not change");
        Assert.That(await AuditDetailAsync(org.Id, "admin.user.signed_out", "after"), Is.EqualTo("""{"grants_revoked":1,"sessions_ended":2}"""), "jsonb orders the members");
        HttpResponseMessage unknown = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/u_nobody/sign-out");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_enabled_user_can_sign_in_again()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/disable", null, HttpStatusCode.NoContent);

        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/enable", null, HttpStatusCode.NoContent);

        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage token = await RedeemAsync(org, await SignInAsync(browser, org), org.ClientSecret);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_deleted_user_loses_its_refresh_tokens_and_is_gone()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/clients/atlassian", """{"always_issue_refresh_token":true}""", HttpStatusCode.OK);
        using HttpClient browser = Server.CreateClient();
        JsonElement tokens = await JsonAsync(await RedeemAsync(org, await SignInAsync(browser, org), org.ClientSecret));

        await AdminJsonAsync(HttpMethod.Delete, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", null, HttpStatusCode.NoContent);

        HttpResponseMessage refresh = await RefreshAsync(org, tokens.GetProperty("refresh_token").GetString()!, org.ClientSecret);
        Assert.That((await JsonAsync(refresh)).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        HttpResponseMessage missing = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_new_password_replaces_the_old_one()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage set = await AdminAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/password", """{"password":"a brand new passphrase"}""");

        Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using HttpClient browser = Server.CreateClient();
        Uri callback = await SignInAsync(browser, org, password: "a brand new passphrase");
        Assert.That(Query(callback).ContainsKey("code"), Is.True);
        HttpResponseMessage tooShort = await AdminAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}/password", """{"password":"1234567"}""");
        Assert.That(tooShort.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Patching_a_user_changes_only_the_given_fields_and_null_removes_an_attribute()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}",
            """{"attributes":{"department":"Sales","cost_center":"42"}}""", HttpStatusCode.OK);

        JsonElement user = await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}",
            """{"family_name":"Berg","attributes":{"cost_center":null}}""", HttpStatusCode.OK);

        Assert.That(user.GetProperty("family_name").GetString(), Is.EqualTo("Berg"));
        Assert.That(user.GetProperty("given_name").GetString(), Is.EqualTo("Alice"));
        Assert.That(user.GetProperty("attributes").ToString(), Is.EqualTo("""{"department":"Sales"}"""));
        HttpResponseMessage groups = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}", """{"groups":[]}""");
        Assert.That(groups.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Search_matches_username_email_or_name_and_treats_wildcards_literally()
    {
        TestOrganization org = await NewOrganizationAsync();
        foreach (string body in new[]
        {
            """{"username":"bob","email":"bob@example.com"}""",
            """{"username":"carol","name":"Carol Bobson"}""",
            """{"username":"dave_x","email":"dave@acme.eu"}""",
            """{"username":"davexx"}""",
        })
        {
            await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", body, HttpStatusCode.Created);
        }

        Assert.That(await UsernamesAsync(org, "?search=BOB"), Is.EqualTo(new[] { "bob", "carol" }));
        Assert.That(await UsernamesAsync(org, "?search=acme.eu"), Is.EqualTo(new[] { "alice", "dave_x" }));
        Assert.That(await UsernamesAsync(org, "?search=e_x"), Is.EqualTo(new[] { "dave_x" }));
        Assert.That(await UsernamesAsync(org, "?search=%25"), Is.Empty);
    }

    [Test]
    public async Task Users_are_paged_with_a_cursor()
    {
        TestOrganization org = await NewOrganizationAsync();
        for (int i = 0; i < 4; i++)
        {
            await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users", $$"""{"username":"user{{i}}"}""", HttpStatusCode.Created);
        }

        var seen = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            JsonElement page = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?limit=2" + (cursor is null ? string.Empty : "&cursor=" + cursor), null, HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("username").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.That(seen, Is.EqualTo(new[] { "alice", "user0", "user1", "user2", "user3" }));
        Assert.That(pages, Is.EqualTo(3));
        HttpResponseMessage bad = await AdminAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users?limit=0");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task An_unknown_user_answers_404()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/users/u_nobody/disable");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private async Task<string[]> UsernamesAsync(TestOrganization org, string query)
    {
        JsonElement page = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/users{query}", null, HttpStatusCode.OK);
        return [.. page.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("username").GetString()!)];
    }
}
