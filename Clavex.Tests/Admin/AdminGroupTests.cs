using System.Net;
using System.Text.Json;
using Clavex.Tests.Support;

namespace Clavex.Tests.Admin;

/// <summary>Groups and membership over the admin API, as Jira sees them in the next ID token.</summary>
public class AdminGroupTests : AdminTestBase
{
    [Test]
    public async Task Adding_and_removing_a_member_shows_in_the_next_id_token()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", """{"name":"confluence-space-admins"}""", HttpStatusCode.Created);

        await AdminJsonAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/groups/confluence-space-admins/members/{org.AliceSubject}", null, HttpStatusCode.NoContent);
        await AdminJsonAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/groups/confluence-space-admins/members/{org.AliceSubject}", null, HttpStatusCode.NoContent);
        await AdminJsonAsync(HttpMethod.Delete, $"/api/v1/organizations/{org.Slug}/groups/jira-administrators/members/{org.AliceSubject}", null, HttpStatusCode.NoContent);

        Assert.That(await GroupsClaimAsync(org), Is.EqualTo("""["confluence-space-admins","confluence-users","jira-software-users"]"""));
    }

    [Test]
    public async Task A_renamed_group_shows_under_its_new_name_and_a_deleted_one_not_at_all()
    {
        TestOrganization org = await NewOrganizationAsync();

        JsonElement renamed = await AdminJsonAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/groups/jira-software-users",
            """{"name":"jira-users"}""", HttpStatusCode.OK);
        await AdminJsonAsync(HttpMethod.Delete, $"/api/v1/organizations/{org.Slug}/groups/confluence-users", null, HttpStatusCode.NoContent);

        Assert.That(renamed.GetProperty("name").GetString(), Is.EqualTo("jira-users"));
        Assert.That(renamed.GetProperty("member_count").GetInt64(), Is.EqualTo(1));
        Assert.That(await GroupsClaimAsync(org), Is.EqualTo("""["jira-administrators","jira-users"]"""));
    }

    [Test]
    public async Task Groups_are_listed_with_their_member_counts()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", """{"name":"empty"}""", HttpStatusCode.Created);

        JsonElement list = await AdminJsonAsync(HttpMethod.Get, $"/api/v1/organizations/{org.Slug}/groups", null, HttpStatusCode.OK);

        Assert.That(list.GetProperty("groups").EnumerateArray().Select(g => $"{g.GetProperty("name").GetString()}:{g.GetProperty("member_count").GetInt64()}"),
            Is.EqualTo(new[] { "confluence-users:1", "empty:0", "jira-administrators:1", "jira-software-users:1" }));
    }

    [Test]
    public async Task A_duplicate_group_answers_409_for_create_and_rename()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage created = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", """{"name":"confluence-users"}""");
        HttpResponseMessage renamed = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/groups/jira-users-x", """{"name":"confluence-users"}""");
        HttpResponseMessage collided = await AdminAsync(new HttpMethod("PATCH"), $"/api/v1/organizations/{org.Slug}/groups/jira-software-users", """{"name":"confluence-users"}""");

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(collided.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Membership_of_an_unknown_group_or_user_answers_404()
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage noGroup = await AdminAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/groups/nope/members/{org.AliceSubject}");
        HttpResponseMessage noUser = await AdminAsync(HttpMethod.Put, $"/api/v1/organizations/{org.Slug}/groups/confluence-users/members/u_nobody");

        Assert.That(noGroup.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(noGroup)).GetProperty("error_description").GetString(), Does.Contain("group 'nope'"));
        Assert.That(noUser.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(noUser)).GetProperty("error_description").GetString(), Does.Contain("user 'u_nobody'"));
    }

    [TestCase("""{"name":""}""")]
    [TestCase("""{"name":" padded"}""")]
    [TestCase("""{"name":42}""")]
    [TestCase("""{"group":"x"}""")]
    public async Task A_bad_group_name_answers_400(string body)
    {
        TestOrganization org = await NewOrganizationAsync();

        HttpResponseMessage response = await AdminAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private async Task<string> GroupsClaimAsync(TestOrganization org)
    {
        using HttpClient browser = Server.CreateClient();
        HttpResponseMessage token = await RedeemAsync(org, await SignInAsync(browser, org), org.ClientSecret);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return IdTokenClaim(await JsonAsync(token), "groups");
    }
}
