using System.Text.Json;

namespace Clavex.Server.AdminConsole;

/// <summary>The console's groups: the list, creation, renaming (with the ETag read), deletion, and members.</summary>
internal static class GroupPages
{
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/admin/groups", ListAsync);
        organization.MapPost("/admin/groups", CreateAsync);
        organization.MapGet("/admin/groups/{name}", ShowAsync);
        organization.MapPost("/admin/groups/{name}/rename", RenameAsync);
        organization.MapPost("/admin/groups/{name}/delete", DeleteAsync);
        organization.MapPost("/admin/groups/{name}/members", (HttpContext c, string name, [AsParameters] ConsoleServices s) => MemberAsync(c, name, s, add: true));
        organization.MapPost("/admin/groups/{name}/members/remove", (HttpContext c, string name, [AsParameters] ConsoleServices s) => MemberAsync(c, name, s, add: false));
    }

    private static async Task<IResult> ListAsync(HttpContext context, [AsParameters] ConsoleServices services, string? done = null)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        return r is null ? refusal! : r.Page(await ListPageAsync(r, Notice(done), null, null));
    }

    private static async Task<string> ListPageAsync(ConsoleRequest r, string? notice, string? error, string? typed)
    {
        ApiAnswer answer = await r.GetAsync("/groups");
        ConsoleHtml html = ConsoleHtml.Begin(r, "Groups", "groups").H1("Groups").Messages(notice, error ?? (answer.IsSuccess ? null : answer.ErrorDescription));
        html.Table("Groups reach applications in the groups claim, through each client's claim mapping", "Group", "Members", "Created");
        foreach (JsonElement group in answer.IsSuccess ? answer.Body.Items("groups") : [])
        {
            string name = group.Str("name")!;
            html.Raw("<tr><td>").Link(r.Base + "/groups/" + Uri.EscapeDataString(name), name).Raw("</td>")
                .Cell(group.Number("member_count")).Cell(ConsoleHtml.When(group.Str("created_at"))).Raw("</tr>\n");
        }

        html.EndTable().H2("Create a group").Form(r.Base + "/groups")
            .Field("Name", "name", typed, required: true, hint: "Use the name Jira and Confluence know the group by, or rename it per client in the claim mapping.")
            .Button("Create group").EndForm();
        return html.End();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        string name = r.Text("name");
        ApiAnswer answer = await r.CallAsync("POST", "/groups", [], ConsoleRequest.Json(w => w.WriteString("name", name)));
        return answer.IsSuccess
            ? r.Done("/groups/" + Uri.EscapeDataString(name), "created")
            : r.Page(await ListPageAsync(r, null, ConsoleRequest.Problem(answer, "the group"), name), ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string name, [AsParameters] ConsoleServices services, string? done = null)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        return r is null ? refusal! : await DetailAsync(r, name, Notice(done), null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> RenameAsync(HttpContext context, string name, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        string to = r.Text("new_name");
        if (r.Field("preview") == "1")
        {
            return await PreviewRenameAsync(r, name, to);
        }

        ApiAnswer answer = await r.CallAsync("PATCH", "/groups/{name}", [("name", name)], ConsoleRequest.Json(w => w.WriteString("name", to)), r.Field("etag"));
        return answer.IsSuccess
            ? r.Done("/groups/" + Uri.EscapeDataString(to), "renamed")
            : await DetailAsync(r, name, null, ConsoleRequest.Problem(answer, "group " + name), ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string name, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        if (r.Text("confirm") != name)
        {
            return await DetailAsync(r, name, null, $"To delete the group, type its name, {name}, into the box.", StatusCodes.Status400BadRequest);
        }

        ApiAnswer answer = await r.CallAsync("DELETE", "/groups/{name}", [("name", name)], null, r.Field("etag"));
        return answer.IsSuccess
            ? r.Done("/groups", "deleted")
            : await DetailAsync(r, name, null, ConsoleRequest.Problem(answer, "group " + name), ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> MemberAsync(HttpContext context, string name, ConsoleServices services, bool add)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        string? sub = r.Field("sub");
        if (add)
        {
            // Members are added by username, the name an admin knows; the API takes the sub.
            string username = r.Text("username");
            ApiAnswer found = await r.CallAsync("GET", "/users", [], query: QueryString.Create("username", username));
            sub = found.IsSuccess && found.Body.Items("users") is [JsonElement user, ..] ? user.Str("sub") : null;
            if (sub is null)
            {
                return await DetailAsync(r, name, null, found.IsSuccess ? $"There is no user '{username}'." : found.ErrorDescription, StatusCodes.Status400BadRequest);
            }
        }

        ApiAnswer answer = await r.CallAsync(add ? "PUT" : "DELETE", "/groups/{name}/members/{sub}", [("name", name), ("sub", sub ?? string.Empty)]);
        return answer.IsSuccess
            ? r.Done("/groups/" + Uri.EscapeDataString(name), add ? "member_added" : "member_removed")
            : await DetailAsync(r, name, null, ConsoleRequest.Problem(answer, "group " + name), ConsoleRequest.StatusOf(answer));
    }

    /// <summary>For every client whose tokens list groups: which members would gain or lose which names if the group were renamed.</summary>
    private static async Task<IResult> PreviewRenameAsync(ConsoleRequest r, string name, string to)
    {
        ApiAnswer clients = await r.GetAsync("/clients");
        (IReadOnlyList<JsonElement> members, bool truncated, string? error) = await ClaimPreview.UsersAsync(r, name);
        var sections = new List<(string ClientId, IReadOnlyList<ClaimPreview.Change> Changes)>();
        foreach (JsonElement representation in clients.IsSuccess ? clients.Body.Items("clients") : [])
        {
            (Core.Clients.Client? client, string? _) = ClaimPreview.Read(representation, r.Organization.Id);
            if (client is null || !client.AllowsScope("groups"))
            {
                continue;
            }

            sections.Add((client.ClientId, ClaimPreview.Diff(members, g => ClaimPreview.GroupsClaim(client, g),
                g => ClaimPreview.GroupsClaim(client, [.. g.Select(x => x == name ? to : x)]))));
        }

        return await DetailAsync(r, name, null, error ?? (clients.IsSuccess ? null : clients.ErrorDescription), StatusCodes.Status200OK, html =>
        {
            foreach ((string clientId, IReadOnlyList<ClaimPreview.Change> changes) in sections)
            {
                ClaimPreview.Render(html, $"renaming {name} to {to}, in {clientId}'s tokens", changes, members.Count, truncated, null);
            }

            if (sections.Count == 0)
            {
                html.P("No client's tokens list groups, so the rename changes no token.", "notice");
            }
        }, typedName: to);
    }

    private static async Task<IResult> DetailAsync(
        ConsoleRequest r, string name, string? notice, string? error, int status, Action<ConsoleHtml>? preview = null, string? typedName = null)
    {
        ApiAnswer answer = await r.GetAsync("/groups/{name}", ("name", name));
        if (!answer.IsSuccess)
        {
            return r.Page(ConsoleHtml.Begin(r, "Group", "groups").H1("Group " + name).Messages(null, error ?? answer.ErrorDescription).End(),
                ConsoleRequest.StatusOf(answer));
        }

        string path = r.Base + "/groups/" + Uri.EscapeDataString(name);
        string etag = answer.ETag ?? string.Empty;
        ApiAnswer members = await r.CallAsync("GET", "/users", [], query: QueryString.Create("group", name).Add("limit", "200"));
        ConsoleHtml html = ConsoleHtml.Begin(r, "Group " + name, "groups").H1("Group " + name).Messages(notice, error);
        preview?.Invoke(html);
        html.Table("Members", "Username", "Name", "");
        foreach (JsonElement user in members.IsSuccess ? members.Body.Items("users") : [])
        {
            string sub = user.Str("sub")!;
            html.Raw("<tr><td>").Link(r.Base + "/users/" + Uri.EscapeDataString(sub), user.Str("username")!).Raw("</td>").Cell(user.Str("name")).Raw("<td>")
                .Action(path + "/members/remove", "Remove", "secondary", ("sub", sub)).Raw("</td></tr>\n");
        }

        html.EndTable();
        if (members.IsSuccess && members.Body.Str("next_cursor") is not null)
        {
            html.P("The first 200 members are shown; the Users page lists them all.", "hint");
        }

        html.Form(path + "/members").Field("Add a member by username", "username", null, required: true).Button("Add member").EndForm();
        html.H2("Rename").P("Every client's token lists the new name from the next sign-in on. Jira and Confluence remove users from groups the token no longer lists.", "hint")
            .Form(path + "/rename").Hidden("etag", typedName is null ? etag : r.Field("etag") ?? etag).Field("New name", "new_name", typedName ?? name, required: true)
            .Button("Rename").Button("Preview the effect on tokens", "secondary", "preview", "1").EndForm();
        html.H2("Delete").Form(path + "/delete").Hidden("etag", etag)
            .Field("Type the group's name to delete it", "confirm", null, hint: "Its members stay; they only leave the group.").Button("Delete group", "danger").EndForm();
        return r.Page(html.End(), status);
    }

    private static string? Notice(string? done) => done switch
    {
        "created" => "The group is created.",
        "renamed" => "The group is renamed.",
        "deleted" => "The group is deleted.",
        "member_added" => "The member is added.",
        "member_removed" => "The member is removed.",
        _ => null,
    };
}
