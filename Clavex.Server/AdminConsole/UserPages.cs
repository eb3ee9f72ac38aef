using System.Text.Json;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The console's users: search, creation, the profile (saved with its ETag), password, disable and enable, unlock,
/// second factors (reset), sign-out everywhere, and group memberships. Each is one admin API call.
/// </summary>
internal static class UserPages
{
    private static readonly (string Field, string Label)[] ProfileFields =
    [
        ("username", "Username"), ("email", "Email"), ("name", "Full name"), ("given_name", "Given name"), ("family_name", "Family name"),
        ("locale", "Locale"), ("zoneinfo", "Time zone"), ("phone_number", "Phone number"),
    ];

    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/admin/users", ListAsync);
        organization.MapPost("/admin/users", CreateAsync);
        organization.MapGet("/admin/users/{sub}", ShowAsync);
        organization.MapPost("/admin/users/{sub}", UpdateAsync);
        organization.MapPost("/admin/users/{sub}/password", (HttpContext c, string sub, [AsParameters] ConsoleServices s) =>
            ActAsync(c, sub, s, "PUT", "/password", r => ConsoleRequest.Json(w => w.WriteString("password", r.Field("password") ?? string.Empty)), "password_set"));
        organization.MapPost("/admin/users/{sub}/disable", (HttpContext c, string sub, [AsParameters] ConsoleServices s) => ActAsync(c, sub, s, "POST", "/disable", null, "disabled"));
        organization.MapPost("/admin/users/{sub}/enable", (HttpContext c, string sub, [AsParameters] ConsoleServices s) => ActAsync(c, sub, s, "POST", "/enable", null, "enabled"));
        organization.MapPost("/admin/users/{sub}/unlock", (HttpContext c, string sub, [AsParameters] ConsoleServices s) => ActAsync(c, sub, s, "POST", "/unlock", null, "unlocked"));
        organization.MapPost("/admin/users/{sub}/mfa-reset", (HttpContext c, string sub, [AsParameters] ConsoleServices s) => ActAsync(c, sub, s, "POST", "/mfa/reset", null, "mfa_reset"));
        organization.MapPost("/admin/users/{sub}/sign-out", (HttpContext c, string sub, [AsParameters] ConsoleServices s) => ActAsync(c, sub, s, "POST", "/sign-out", null, "signed_out"));
        organization.MapPost("/admin/users/{sub}/groups", (HttpContext c, string sub, [AsParameters] ConsoleServices s) => MembershipAsync(c, sub, s, add: true));
        organization.MapPost("/admin/users/{sub}/groups/remove", (HttpContext c, string sub, [AsParameters] ConsoleServices s) => MembershipAsync(c, sub, s, add: false));
    }

    private static async Task<IResult> ListAsync(HttpContext context, [AsParameters] ConsoleServices services, string? search = null, string? cursor = null, string? done = null)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        if (r is null)
        {
            return refusal!;
        }

        return r.Page(await ListPageAsync(r, search, cursor, Notice(done), null, null), StatusCodes.Status200OK);
    }

    private static async Task<string> ListPageAsync(ConsoleRequest r, string? search, string? cursor, string? notice, string? error, Func<string, string?>? typed)
    {
        QueryString query = QueryString.Empty;
        if (!string.IsNullOrWhiteSpace(search))
        {
            query = query.Add("search", search.Trim());
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            query = query.Add("cursor", cursor);
        }

        ApiAnswer answer = await r.CallAsync("GET", "/users", [], query: query);
        ConsoleHtml html = ConsoleHtml.Begin(r, "Users", "users").H1("Users").Messages(notice, error ?? (answer.IsSuccess ? null : answer.ErrorDescription));
        html.GetForm(r.Base + "/users").Field("Search by username, name or email", "search", search, "search").Button("Search").EndForm();
        html.Table("Users of this organisation", "Username", "Name", "Email", "Groups", "State");
        foreach (JsonElement user in answer.IsSuccess ? answer.Body.Items("users") : [])
        {
            string state = !user.Bool("enabled") ? "disabled" : user.Str("locked_until") is not null ? "locked" : "active";
            html.Raw("<tr><td>").Link(r.Base + "/users/" + Uri.EscapeDataString(user.Str("sub")!), user.Str("username")!).Raw("</td>")
                .Cell(user.Str("name")).Cell(user.Str("email")).Cell(string.Join(", ", user.Strings("groups"))).Cell(state, state == "active" ? null : "off").Raw("</tr>\n");
        }

        html.EndTable();
        if (answer.IsSuccess && answer.Body.Str("next_cursor") is string next)
        {
            html.Raw("<p>").Link(r.Base + "/users" + QueryString.Create("search", search ?? string.Empty).Add("cursor", next).Value, "Next page").Raw("</p>\n");
        }

        html.H2("Create a user").Form(r.Base + "/users");
        foreach ((string field, string label) in ProfileFields)
        {
            html.Field(label, field, typed?.Invoke(field), field == "email" ? "email" : "text", required: field == "username");
        }

        html.Field("Initial password", "password", null, "password", "Optional: without one the user cannot sign in with a password until one is set.", autocomplete: "new-password")
            .Field("Groups (comma-separated; they must exist)", "groups", typed?.Invoke("groups"))
            .Button("Create user").EndForm();
        return html.End();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        byte[] body = ConsoleRequest.Json(w =>
        {
            foreach ((string field, string _) in ProfileFields)
            {
                if (r.Text(field) is { Length: > 0 } value)
                {
                    w.WriteString(field, value);
                }
            }

            if (r.Field("password") is { Length: > 0 } password)
            {
                w.WriteString("password", password);
            }

            w.WriteStartArray("groups");
            foreach (string group in r.Text("groups").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                w.WriteStringValue(group);
            }

            w.WriteEndArray();
        });
        ApiAnswer answer = await r.CallAsync("POST", "/users", [], body);
        if (answer.IsSuccess)
        {
            return r.Done("/users/" + Uri.EscapeDataString(answer.Body.Str("sub")!), "created");
        }

        // The password is never written back into the page.
        return r.Page(await ListPageAsync(r, null, null, null, ConsoleRequest.Problem(answer, "the user"), f => f == "password" ? null : r.Text(f)),
            ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string sub, [AsParameters] ConsoleServices services, string? done = null)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        return r is null ? refusal! : await DetailAsync(r, sub, Notice(done), null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string sub, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        ApiAnswer read = await r.GetAsync("/users/{sub}", ("sub", sub));
        if (!read.IsSuccess)
        {
            return await DetailAsync(r, sub, null, read.ErrorDescription, ConsoleRequest.StatusOf(read));
        }

        JsonElement current = read.Body;
        var attributes = new List<(string Name, string Value)>();
        bool attributesChanged = !ConsoleRequest.SameLines(r.Field("attributes"), r.Field("attributes_shown"));
        foreach (string line in attributesChanged ? r.LinesOf("attributes") : [])
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return await DetailAsync(r, sub, null, $"The attribute line '{line}' is not of the form name = value.", StatusCodes.Status400BadRequest);
            }

            attributes.Add((line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }

        byte[] body = ConsoleRequest.Json(w =>
        {
            foreach ((string field, string _) in ProfileFields)
            {
                if (r.Text(field) is { Length: > 0 } value)
                {
                    w.WriteString(field, value);
                }
                else
                {
                    w.WriteNull(field);
                }
            }

            // A new address is not verified by the box that was ticked for the old one; ticking it again verifies it.
            bool emailChanged = r.Text("email") != (r.Field("email_shown") ?? string.Empty).Trim();
            w.WriteBoolean("email_verified", r.Checked("email_verified") && !(emailChanged && r.Field("email_verified_shown") == "on"));
            if (attributesChanged)
            {
                WriteAttributes(w, current, attributes);
            }
        });
        ApiAnswer answer = await r.CallAsync("PATCH", "/users/{sub}", [("sub", sub)], body, r.Field("etag"));
        return answer.IsSuccess
            ? r.Done("/users/" + Uri.EscapeDataString(sub), "saved")
            : await DetailAsync(r, sub, null, ConsoleRequest.Problem(answer, "this user"), ConsoleRequest.StatusOf(answer));
    }

    /// <summary>The attributes as a merge patch: one no longer listed is removed (null).</summary>
    private static void WriteAttributes(Utf8JsonWriter w, JsonElement current, List<(string Name, string Value)> attributes)
    {
            w.WriteStartObject("attributes");
            foreach ((string name, string _) in current.Members("attributes"))
            {
                if (!attributes.Exists(a => a.Name == name))
                {
                    w.WriteNull(name);
                }
            }

            foreach ((string name, string value) in attributes)
            {
                w.WriteString(name, value);
            }

            w.WriteEndObject();
    }

    private static async Task<IResult> ActAsync(HttpContext context, string sub, ConsoleServices services, string method, string action, Func<ConsoleRequest, byte[]>? body, string done)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        ApiAnswer answer = await r.CallAsync(method, "/users/{sub}" + action, [("sub", sub)], body?.Invoke(r));
        return answer.IsSuccess
            ? r.Done("/users/" + Uri.EscapeDataString(sub), done)
            : await DetailAsync(r, sub, null, ConsoleRequest.Problem(answer, "this user"), ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> MembershipAsync(HttpContext context, string sub, ConsoleServices services, bool add)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        string group = r.Text("group");
        ApiAnswer answer = await r.CallAsync(add ? "PUT" : "DELETE", "/groups/{name}/members/{sub}", [("name", group), ("sub", sub)]);
        return answer.IsSuccess
            ? r.Done("/users/" + Uri.EscapeDataString(sub), add ? "group_added" : "group_removed")
            : await DetailAsync(r, sub, null, ConsoleRequest.Problem(answer, "this user"), ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> DetailAsync(ConsoleRequest r, string sub, string? notice, string? error, int status)
    {
        ApiAnswer answer = await r.GetAsync("/users/{sub}", ("sub", sub));
        if (!answer.IsSuccess)
        {
            return r.Page(ConsoleHtml.Begin(r, "User", "users").H1("User").Messages(null, error ?? answer.ErrorDescription).End(),
                ConsoleRequest.StatusOf(answer));
        }

        JsonElement user = answer.Body;
        ApiAnswer factors = await r.GetAsync("/users/{sub}/factors", ("sub", sub));
        ApiAnswer groups = await r.GetAsync("/groups");
        string path = r.Base + "/users/" + Uri.EscapeDataString(sub);
        ConsoleHtml html = ConsoleHtml.Begin(r, "User " + user.Str("username"), "users").H1("User " + user.Str("username")).Messages(notice, error);
        html.Raw("<dl>\n<dt>sub</dt><dd><code>").Text(sub).Raw("</code></dd>\n<dt>State</dt><dd>")
            .Text(!user.Bool("enabled") ? "disabled" : user.Str("locked_until") is string locked ? "locked until " + ConsoleHtml.When(locked) : "active")
            .Raw("</dd>\n<dt>Updated</dt><dd>").Text(ConsoleHtml.When(user.Str("updated_at"))).Raw("</dd>\n</dl>\n");
        html.Raw("<p>").Link(r.Base + "/audit?subject=" + Uri.EscapeDataString(sub), "This user's audit events").Raw("</p>\n");

        html.H2("Profile").Form(path).Hidden("etag", answer.ETag ?? string.Empty);
        foreach ((string field, string label) in ProfileFields)
        {
            html.Field(label, field, user.Str(field), field == "email" ? "email" : "text", required: field == "username");
        }

        IEnumerable<string> attributeLines = user.Members("attributes").Select(a => a.Name + " = " + a.Value);
        html.Check("Email verified", "email_verified", user.Bool("email_verified"))
            .Hidden("email_shown", user.Str("email") ?? string.Empty).Hidden("email_verified_shown", user.Bool("email_verified") ? "on" : string.Empty)
            .Lines("Attributes (one per line: name = value)", "attributes", attributeLines,
                "Custom values a client's extra claims can carry (from_attribute), e.g. department = Engineering.")
            // What the textarea showed: attributes are sent only when the admin changed them, since a name or value
            // with '=' or a line break would not survive the round trip through the lines.
            .Hidden("attributes_shown", string.Join('\n', attributeLines))
            .Button("Save profile").EndForm();

        html.H2("Groups").Table("The groups the user's tokens can list", "Group", "");
        IReadOnlyList<string> memberOf = user.Strings("groups");
        foreach (string group in memberOf)
        {
            html.Raw("<tr><td>").Link(r.Base + "/groups/" + Uri.EscapeDataString(group), group).Raw("</td><td>")
                .Action(path + "/groups/remove", "Remove", "secondary", ("group", group)).Raw("</td></tr>\n");
        }

        html.EndTable();
        var others = new List<(string, string)>();
        foreach (JsonElement group in groups.IsSuccess ? groups.Body.Items("groups") : [])
        {
            if (group.Str("name") is string name && !memberOf.Contains(name))
            {
                others.Add((name, name));
            }
        }

        if (others.Count > 0)
        {
            html.Form(path + "/groups").Select("Add to group", "group", others, null).Button("Add").EndForm();
        }

        html.H2("Sign-in");
        if (factors.IsSuccess)
        {
            JsonElement f = factors.Body;
            html.Raw("<p>").Text("Authenticator app: " + (f.Obj("totp").ValueKind == JsonValueKind.Object ? (f.Obj("totp").Bool("confirmed") ? "set up" : "being set up") : "none")
                + ". Passkeys: " + f.Items("passkeys").Count + ". Recovery codes left: " + f.Number("recovery_codes_left") + ".").Raw("</p>\n");
        }

        html.Form(path + "/password").Field("New password", "password", null, "password", autocomplete: "new-password").Button("Set password").EndForm();
        html.Raw("<p>\n")
            .Action(path + (user.Bool("enabled") ? "/disable" : "/enable"), user.Bool("enabled") ? "Disable" : "Enable")
            .Action(path + "/unlock", "Unlock")
            .Action(path + "/mfa-reset", "Reset second factors")
            .Action(path + "/sign-out", "Sign out everywhere")
            .Raw("</p>\n<p class=\"hint\">Sign out everywhere ends every session and revokes every refresh and access token of the user. "
                + "Resetting second factors removes the authenticator app, passkeys and recovery codes.</p>\n");
        return r.Page(html.End(), status);
    }

    private static string? Notice(string? done) => done switch
    {
        "created" => "The user is created.",
        "saved" => "The profile is saved.",
        "password_set" => "The password is set.",
        "disabled" => "The user is disabled.",
        "enabled" => "The user is enabled.",
        "unlocked" => "The user is unlocked.",
        "mfa_reset" => "The user's second factors are removed.",
        "signed_out" => "Every session of the user is ended and every token revoked.",
        "group_added" => "The user is added to the group.",
        "group_removed" => "The user is removed from the group.",
        _ => null,
    };
}
