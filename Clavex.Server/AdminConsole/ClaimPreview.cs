using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Server.Admin;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// Before a change to a client's claim mapping or a group's name is saved: which users would gain or lose which
/// groups in which client's tokens. Jira's just-in-time provisioning removes a user from every group their token no
/// longer lists, so a lost group is a lost permission at the user's next sign-in. Users and clients are read through
/// the admin API; the groups claim is computed by the core's own group rules (<see cref="ClaimSources"/>).
/// </summary>
internal static class ClaimPreview
{
    /// <summary>A preview reads at most this many users (50 pages of the API's largest page).</summary>
    public const int MaxUsers = 10_000;

    public sealed record Change(string Username, string Sub, IReadOnlyList<string> Gained, IReadOnlyList<string> Lost);

    /// <summary>The organisation's users (or one group's members), page by page; <c>Truncated</c> past <see cref="MaxUsers"/>.</summary>
    public static async Task<(IReadOnlyList<JsonElement> Users, bool Truncated, string? Error)> UsersAsync(ConsoleRequest r, string? group)
    {
        var users = new List<JsonElement>();
        string? cursor = null;
        do
        {
            QueryString query = QueryString.Create("limit", "200");
            if (group is not null)
            {
                query = query.Add("group", group);
            }

            if (cursor is not null)
            {
                query = query.Add("cursor", cursor);
            }

            ApiAnswer page = await r.CallAsync("GET", "/users", [], query: query);
            if (!page.IsSuccess)
            {
                return (users, false, page.ErrorDescription);
            }

            users.AddRange(page.Body.Items("users"));
            cursor = page.Body.Str("next_cursor");
        }
        while (cursor is not null && users.Count < MaxUsers);
        return (users, cursor is not null, null);
    }

    /// <summary>The values of the groups claim a client's tokens carry for these groups: none without the groups scope.</summary>
    public static IReadOnlyList<string> GroupsClaim(Client client, IReadOnlyList<string> groups) =>
        client.AllowsScope("groups") ? ClaimSources.GroupsClaimValues(groups, client.ClaimMapping) : [];

    public static IReadOnlyList<Change> Diff(IReadOnlyList<JsonElement> users, Func<IReadOnlyList<string>, IReadOnlyList<string>> before, Func<IReadOnlyList<string>, IReadOnlyList<string>> after)
    {
        var changes = new List<Change>();
        foreach (JsonElement user in users)
        {
            IReadOnlyList<string> groups = user.Strings("groups");
            IReadOnlyList<string> was = before(groups);
            IReadOnlyList<string> will = after(groups);
            string[] gained = [.. will.Where(g => !was.Contains(g))];
            string[] lost = [.. was.Where(g => !will.Contains(g))];
            if (gained.Length > 0 || lost.Length > 0)
            {
                changes.Add(new Change(user.Str("username")!, user.Str("sub")!, gained, lost));
            }
        }

        return changes;
    }

    /// <summary>A client as the API's representation describes it (the same reading a PATCH validates).</summary>
    public static (Client? Client, string? Problem) Read(JsonElement representation, long organizationId)
    {
        (Client? client, AdminError? error) = ClientMetadata.Read(representation, organizationId);
        return (client, error?.Description);
    }

    public static void Render(ConsoleHtml html, string what, IReadOnlyList<Change> changes, int users, bool truncated, string? claimNameChange)
    {
        html.Raw("<section aria-labelledby=\"preview\">\n<h2 id=\"preview\">Preview: ").Text(what).Raw("</h2>\n")
            .P("Nothing is saved yet. Jira and Confluence apply this at each user's next sign-in: a group no longer listed is removed from the user there.", "hint");
        if (claimNameChange is not null)
        {
            html.P(claimNameChange, "alert");
        }

        if (changes.Count == 0)
        {
            html.P($"No user's groups change ({users} users compared).", "notice");
        }
        else
        {
            int losing = changes.Count(c => c.Lost.Count > 0);
            html.P($"{changes.Count} of {users} users would change; {losing} would lose groups.", losing > 0 ? "alert" : "notice")
                .Table("Users whose groups claim changes", "User", "Would gain", "Would lose");
            foreach (Change change in changes)
            {
                html.Raw("<tr>").Cell(change.Username).Cell(change.Gained.Count == 0 ? "—" : string.Join(", ", change.Gained))
                    .Cell(change.Lost.Count == 0 ? "—" : string.Join(", ", change.Lost), change.Lost.Count == 0 ? null : "fail").Raw("</tr>\n");
            }

            html.EndTable();
        }

        if (truncated)
        {
            html.P($"Only the first {MaxUsers:N0} users were compared.", "hint");
        }

        html.Raw("</section>\n");
    }
}
