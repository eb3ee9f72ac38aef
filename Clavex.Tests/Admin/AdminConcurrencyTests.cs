using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clavex.Tests.Admin;

/// <summary>Issue 6: optimistic concurrency on admin changes with ETag and If-Match (RFC 9110 §13.1.1).</summary>
public class AdminConcurrencyTests : AdminTestBase
{
    private static readonly HttpMethod Patch = new("PATCH");

    [TestCase("client")]
    [TestCase("user")]
    [TestCase("group")]
    [TestCase("organization")]
    public async Task A_matching_if_match_applies_the_change_and_moves_the_etag(string kind)
    {
        Target target = await TargetAsync(kind);
        string etag = await ETagAsync(target.Path);

        HttpResponseMessage patched = await SendAsync(Patch, target.Path, target.Body(1), etag);

        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), await patched.Content.ReadAsStringAsync());
        string newETag = patched.Headers.ETag!.ToString();
        Assert.That(newETag, Is.Not.EqualTo(etag).And.Match("^\"v[0-9]+\"$"));
        Assert.That(patched.Headers.ETag.IsWeak, Is.False);
        Assert.That(await ETagAsync(target.PathAfter(1)), Is.EqualTo(newETag));
        Assert.That(await FieldAsync(target, 1), Is.EqualTo(target.Value(1)));
    }

    [TestCase("client")]
    [TestCase("user")]
    [TestCase("group")]
    [TestCase("organization")]
    public async Task A_stale_if_match_is_412_and_changes_nothing(string kind)
    {
        Target target = await TargetAsync(kind);
        string stale = await ETagAsync(target.Path);
        HttpResponseMessage first = await SendAsync(Patch, target.Path, target.Body(1), stale);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        HttpResponseMessage second = await SendAsync(Patch, target.PathAfter(1), target.Body(2), stale);

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        JsonElement error = await JsonAsync(second);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("precondition_failed"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith("If-Match does not match the current ETag of "));
        Assert.That(second.Headers.ETag!.ToString(), Is.EqualTo(first.Headers.ETag!.ToString()));
        Assert.That(await FieldAsync(target, 1), Is.EqualTo(target.Value(1)), "the second change was not applied");
        Assert.That(await ETagAsync(target.PathAfter(1)), Is.EqualTo(first.Headers.ETag!.ToString()));
    }

    [TestCase("client")]
    [TestCase("user")]
    [TestCase("group")]
    [TestCase("organization")]
    public async Task Without_if_match_the_change_is_applied_and_the_new_etag_returned(string kind)
    {
        Target target = await TargetAsync(kind);
        string etag = await ETagAsync(target.Path);

        HttpResponseMessage patched = await SendAsync(Patch, target.Path, target.Body(1), ifMatch: null);

        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(patched.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        Assert.That(await FieldAsync(target, 1), Is.EqualTo(target.Value(1)));
    }

    [TestCase("client")]
    [TestCase("user")]
    [TestCase("group")]
    public async Task Delete_with_a_stale_if_match_is_412_and_with_the_current_one_deletes(string kind)
    {
        Target target = await TargetAsync(kind);
        string stale = await ETagAsync(target.Path);
        await SendAsync(Patch, target.Path, target.Body(1), ifMatch: null);

        HttpResponseMessage refused = await SendAsync(HttpMethod.Delete, target.PathAfter(1), null, stale);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That((await AdminAsync(HttpMethod.Get, target.PathAfter(1))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "still there");

        HttpResponseMessage deleted = await SendAsync(HttpMethod.Delete, target.PathAfter(1), null, await ETagAsync(target.PathAfter(1)));
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await AdminAsync(HttpMethod.Get, target.PathAfter(1))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task If_match_star_and_a_list_containing_the_current_etag_match_and_a_weak_tag_does_not()
    {
        Target target = await TargetAsync("client");
        string etag = await ETagAsync(target.Path);

        HttpResponseMessage weak = await SendAsync(Patch, target.Path, target.Body(1), "W/" + etag);
        Assert.That(weak.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), "RFC 9110 §13.1.1: the strong comparison");
        HttpResponseMessage listed = await SendAsync(Patch, target.Path, target.Body(2), "\"v999\", " + etag);
        Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        HttpResponseMessage star = await SendAsync(Patch, target.Path, target.Body(3), "*");
        Assert.That(star.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await FieldAsync(target, 3), Is.EqualTo(target.Value(3)));
    }

    [Test]
    public async Task A_membership_change_moves_the_etags_of_the_group_and_the_user()
    {
        TestOrganization org = await NewOrganizationAsync();
        await AdminJsonAsync(HttpMethod.Post, $"/api/v1/organizations/{org.Slug}/groups", """{"name":"team"}""", HttpStatusCode.Created);
        string group = $"/api/v1/organizations/{org.Slug}/groups/team";
        string user = $"/api/v1/organizations/{org.Slug}/users/{org.AliceSubject}";
        string groupETag = await ETagAsync(group);
        string userETag = await ETagAsync(user);

        await AdminJsonAsync(HttpMethod.Put, $"{group}/members/{org.AliceSubject}", null, HttpStatusCode.NoContent);

        Assert.That(await ETagAsync(group), Is.Not.EqualTo(groupETag));
        Assert.That(await ETagAsync(user), Is.Not.EqualTo(userETag));
    }

    [Test]
    public async Task The_store_update_is_conditional_in_one_statement()
    {
        TestOrganization org = await NewOrganizationAsync();
        var clients = Server.Services.GetRequiredService<PgClientStore>();
        (Clavex.Core.Clients.Client? client, long version) = await clients.FindVersionedAsync(org.Id, "atlassian", CancellationToken.None);

        long? first = await clients.UpdateAsync(client!, CancellationToken.None, version);
        long? second = await clients.UpdateAsync(client!, CancellationToken.None, version);

        Assert.That(first, Is.EqualTo(version + 1));
        Assert.That(second, Is.Null, "the version moved, so the second conditional update matches no row");
    }

    // Review finding: If-Match was ignored on the action endpoints; RFC 9110 §13.1.1 says a server that receives it
    // must evaluate it. Each case: the resource's ETag goes stale by an unrelated change, the action with it is 412 and
    // changes nothing, and with the current ETag it succeeds.
    [TestCase("user-password")]
    [TestCase("user-disable")]
    [TestCase("user-enable")]
    [TestCase("user-unlock")]
    [TestCase("group-member-add")]
    [TestCase("group-member-remove")]
    [TestCase("client-secret")]
    [TestCase("signing-key")]
    public async Task An_action_with_a_stale_if_match_is_412_and_changes_nothing_and_with_the_current_one_succeeds(string kind)
    {
        Action action = await ActionAsync(kind);
        string stale = await ETagAsync(action.Resource);
        await action.Move();
        string current = await ETagAsync(action.Resource);
        Assert.That(current, Is.Not.EqualTo(stale));
        string before = await action.Probe();

        HttpResponseMessage refused = await SendAsync(action.Method, action.Path, action.Body, stale);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), await refused.Content.ReadAsStringAsync());
        JsonElement error = await JsonAsync(refused);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("precondition_failed"));
        Assert.That(error.GetProperty("error_description").GetString(), Does.StartWith("If-Match does not match the current ETag of "));
        Assert.That(refused.Headers.ETag!.ToString(), Is.EqualTo(current));
        Assert.That(await action.Probe(), Is.EqualTo(before), "nothing changed");

        HttpResponseMessage applied = await SendAsync(action.Method, action.Path, action.Body, current);

        Assert.That((int)applied.StatusCode, Is.EqualTo(action.Success), await applied.Content.ReadAsStringAsync());
        Assert.That(await action.Probe(), Is.Not.EqualTo(before), "the action was applied");
    }

    private async Task<Action> ActionAsync(string kind)
    {
        TestOrganization org = await NewOrganizationAsync();
        string prefix = $"/api/v1/organizations/{org.Slug}";
        string user = $"{prefix}/users/{org.AliceSubject}";
        string group = $"{prefix}/groups/team";
        Func<Task> moveUser = () => SendAsync(Patch, user, """{"family_name":"Moved"}""", null);
        switch (kind)
        {
            case "user-password":
                return new Action(user, HttpMethod.Put, $"{user}/password", """{"password":"another long password"}""", 204, moveUser,
                    () => ScalarAsync($"SELECT password_hash FROM users WHERE subject = '{org.AliceSubject}'"));
            case "user-disable":
                return new Action(user, HttpMethod.Post, $"{user}/disable", null, 204, moveUser, () => JsonFieldAsync(user, "enabled"));
            case "user-enable":
                await SendAsync(HttpMethod.Post, $"{user}/disable", null, null);
                return new Action(user, HttpMethod.Post, $"{user}/enable", null, 204, moveUser, () => JsonFieldAsync(user, "enabled"));
            case "user-unlock":
                await ScalarAsync($"UPDATE users SET locked_until = now() + interval '1 hour', version = version + 1 WHERE subject = '{org.AliceSubject}' RETURNING 1");
                return new Action(user, HttpMethod.Post, $"{user}/unlock", null, 204, moveUser,
                    () => ScalarAsync($"SELECT coalesce(locked_until::text, 'none') FROM users WHERE subject = '{org.AliceSubject}'"));
            case "group-member-add":
            case "group-member-remove":
                await AdminJsonAsync(HttpMethod.Post, $"{prefix}/groups", """{"name":"team"}""", HttpStatusCode.Created);
                JsonElement bob = await AdminJsonAsync(HttpMethod.Post, $"{prefix}/users", """{"username":"bob"}""", HttpStatusCode.Created);
                string bobMember = $"{group}/members/{bob.GetProperty("sub").GetString()}";
                bool add = kind == "group-member-add";
                return new Action(group, add ? HttpMethod.Put : HttpMethod.Delete, $"{group}/members/{org.AliceSubject}", null, 204,
                    // Adding alice for the remove case, bob for the add case: either way the group's version moves.
                    () => SendAsync(HttpMethod.Put, add ? bobMember : $"{group}/members/{org.AliceSubject}", null, null),
                    () => JsonFieldAsync(group, "member_count"));
            case "client-secret":
                return new Action($"{prefix}/clients/atlassian", HttpMethod.Post, $"{prefix}/clients/atlassian/secrets", null, 201,
                    () => SendAsync(Patch, $"{prefix}/clients/atlassian", """{"client_name":"Moved"}""", null),
                    async () => (await AdminJsonAsync(HttpMethod.Get, $"{prefix}/clients/atlassian/secrets", null, HttpStatusCode.OK)).GetProperty("secrets").GetArrayLength().ToString(CultureInfo.InvariantCulture));
            default:
                return new Action(prefix, HttpMethod.Post, $"{prefix}/signing-keys/rotate", null, 201,
                    () => SendAsync(Patch, prefix, """{"display_name":"Moved"}""", null),
                    async () => (await AdminJsonAsync(HttpMethod.Get, $"{prefix}/signing-keys", null, HttpStatusCode.OK)).GetProperty("signing_keys").GetArrayLength().ToString(CultureInfo.InvariantCulture));
        }
    }

    private async Task<string> JsonFieldAsync(string path, string field) =>
        (await AdminJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK)).GetProperty(field).GetRawText();

    private static async Task<string> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresFixture.ConnectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand(sql);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
    }

    private async Task<Target> TargetAsync(string kind)
    {
        TestOrganization org = await NewOrganizationAsync();
        string prefix = $"/api/v1/organizations/{org.Slug}";
        switch (kind)
        {
            case "client":
                return Named($"{prefix}/clients/atlassian", "client_name");
            case "user":
                return Named($"{prefix}/users/{org.AliceSubject}", "family_name");
            case "organization":
                return Named(prefix, "display_name");
            default:
                await AdminJsonAsync(HttpMethod.Post, $"{prefix}/groups", """{"name":"team"}""", HttpStatusCode.Created);
                return new Target($"{prefix}/groups/team", "name", i => $"team-{i}", i => $$"""{"name":"team-{{i}}"}""", i => $"{prefix}/groups/team-{i}");
        }

        static Target Named(string path, string field) =>
            new(path, field, i => $"Name {i}", i => $$"""{"{{field}}":"Name {{i}}"}""", _ => path);
    }

    private async Task<string?> FieldAsync(Target target, int version)
    {
        JsonElement current = await AdminJsonAsync(HttpMethod.Get, target.PathAfter(version), null, HttpStatusCode.OK);
        return current.GetProperty(target.Field).GetString();
    }

    private async Task<string> ETagAsync(string path)
    {
        HttpResponseMessage response = await AdminAsync(HttpMethod.Get, path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return response.Headers.ETag!.ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, string? ifMatch)
    {
        using HttpClient client = Server.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClavexTestServer.AdminToken);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    private sealed record Action(string Resource, HttpMethod Method, string Path, string? Body, int Success, Func<Task> Move, Func<Task<string>> Probe);

    private sealed record Target(string Path, string Field, Func<int, string> Value, Func<int, string> Body, Func<int, string> PathAfter);
}
