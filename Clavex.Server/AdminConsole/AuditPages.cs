using System.Text.Json;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The console's audit log (filters by type, user, client, outcome, time and reference; each event expandable, its
/// reason in plain words) and signing keys (their states, and a rotation, scheduled or at once).
/// </summary>
internal static class AuditPages
{
    private static readonly (string Query, string Label, string Hint)[] Filters =
    [
        ("correlation_id", "Reference", "From an error page or X-Correlation-Id."),
        ("event_type", "Event type", "login.failed, or a family: login.*"),
        ("username", "Username", ""),
        ("client_id", "Client ID", ""),
        ("since", "Since", "2026-12-01T00:00:00Z"),
        ("until", "Until", ""),
    ];

    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/admin/audit", AuditAsync);
        organization.MapGet("/admin/keys", KeysAsync);
        organization.MapPost("/admin/keys/rotate", RotateAsync);
    }

    private static async Task<IResult> AuditAsync(HttpContext context, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        if (r is null)
        {
            return refusal!;
        }

        IQueryCollection given = context.Request.Query;
        QueryString query = QueryString.Create("limit", "100");
        foreach ((string name, _, _) in Filters)
        {
            if (given[name].ToString().Trim() is { Length: > 0 } value)
            {
                query = query.Add(name, value);
            }
        }

        foreach (string name in (string[])["subject", "outcome", "cursor"])
        {
            if (given[name].ToString() is { Length: > 0 } value)
            {
                query = query.Add(name, value);
            }
        }

        ApiAnswer answer = await r.CallAsync("GET", "/audit-events", [], query: query);
        ConsoleHtml html = ConsoleHtml.Begin(r, "Audit log", "audit").H1("Audit log").Messages(null, answer.IsSuccess ? null : answer.ErrorDescription);
        html.GetForm(r.Base + "/audit").Raw("<div class=\"filters\">\n");
        foreach ((string name, string label, string hint) in Filters)
        {
            html.Raw("<div>").Field(label, name, given[name].ToString(), hint: hint.Length > 0 ? hint : null).Raw("</div>\n");
        }

        html.Raw("<div>").Select("Outcome", "outcome", [("", "any"), ("failure", "failures"), ("success", "successes")], given["outcome"].ToString()).Raw("</div>\n");
        if (given["subject"].ToString() is { Length: > 0 } subject)
        {
            html.Hidden("subject", subject);
        }

        html.Raw("</div>\n").Button("Filter").EndForm();
        IReadOnlyList<JsonElement> events = answer.IsSuccess ? answer.Body.Items("events") : [];
        if (answer.IsSuccess && events.Count == 0)
        {
            html.P("No events match. Events are kept for the organisation's retention period; a reference from a page you just saw may take a second to arrive.");
        }

        if (given["correlation_id"].ToString().Trim() is { Length: > 0 } asked && events.Count > 0)
        {
            html.H2("Request " + asked);
            JsonElement? failure = events.FirstOrDefault(e => e.Str("outcome") == "failure") is { ValueKind: JsonValueKind.Object } f ? f : null;
            html.P(failure is JsonElement failed
                ? $"It failed at {failed.Str("event_type")}: " + (Explain(failed.Str("event_type"), failed.Obj("detail")) ?? "see the event below.")
                : $"Nothing in it failed ({events.Count} events).", failure is null ? "notice" : "alert");
        }

        html.Raw("<ul class=\"events\">\n");
        foreach (JsonElement e in events)
        {
            bool failed = e.Str("outcome") == "failure";
            JsonElement detail = e.Obj("detail");
            html.Raw("<li><details><summary>").Text(ConsoleHtml.When(e.Str("occurred_at")) + " · ").Raw("<strong>").Text(e.Str("event_type")).Raw("</strong> ")
                .Raw(failed ? "<span class=\"fail\">failure</span>" : "<span class=\"pass\">success</span>")
                .Text(e.Str("client_id") is string client ? " · client " + client : string.Empty)
                .Text(e.Str("subject") is string sub ? " · user " + sub : string.Empty).Raw("</summary>\n");
            if (Explain(e.Str("event_type"), detail) is string reason)
            {
                html.P(reason, failed ? "alert" : "notice");
            }

            html.Raw("<dl>\n<dt>Reference</dt><dd>");
            if (e.Str("correlation_id") is string reference)
            {
                html.Link(r.Base + "/audit?correlation_id=" + Uri.EscapeDataString(reference), reference);
            }

            html.Raw("</dd>\n<dt>Address</dt><dd>").Text(e.Str("ip") ?? "—").Raw("</dd>\n<dt>Browser</dt><dd>").Text(e.Str("user_agent") ?? "—").Raw("</dd>\n</dl>\n")
                .Pretty(detail).Raw("</details></li>\n");
        }

        html.Raw("</ul>\n");
        if (answer.IsSuccess && answer.Body.Str("next_cursor") is string next)
        {
            var more = new List<KeyValuePair<string, string?>>();
            foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> pair in given)
            {
                if (pair.Key != "cursor")
                {
                    more.Add(new(pair.Key, pair.Value.ToString()));
                }
            }

            more.Add(new("cursor", next));
            html.Raw("<p>").Link(r.Base + "/audit" + QueryString.Create(more).Value, "Older events").Raw("</p>\n");
        }

        return r.Page(html.End(), answer.IsSuccess ? StatusCodes.Status200OK : ConsoleRequest.StatusOf(answer));
    }

    /// <summary>The reason of an event in plain words, where the detail carries one the console knows.</summary>
    internal static string? Explain(string? type, JsonElement detail)
    {
        string? reason = detail.Str("reason");
        string? error = detail.Str("error");
        string? said = reason switch
        {
            "unknown_user" => $"Nobody with the username '{detail.Str("username")}' exists in this organisation.",
            "wrong_password" => "The password was wrong.",
            "locked" => "The account is locked after too many wrong passwords; unlock it on the user's page or wait.",
            "disabled" => "The account is disabled.",
            "policy" => "The new password does not meet the organisation's password policy.",
            _ => null,
        };
        if (said is not null)
        {
            return said;
        }

        string more = (detail.Str("error_description") ?? reason ?? "see the detail below").TrimEnd('.');
        return error switch
        {
            "invalid_client" => $"The application's client authentication failed ({more}): a wrong or expired client secret, or an unknown client_id. "
                + "Compare the secret in Jira or Confluence with the client's secrets.",
            "invalid_grant" => $"The code or refresh token was not accepted ({more}): already used, expired, issued to another client, or revoked.",
            "invalid_request" or "unauthorized_client" or "invalid_scope" or "access_denied" or "unmet_authentication_requirements" or "login_required" or "invalid_token" =>
                $"{error}: {more}.",
            null => reason is null ? null : "Reason: " + reason,
            _ => $"{error}: {more}.",
        };
    }

    private static async Task<IResult> KeysAsync(HttpContext context, [AsParameters] ConsoleServices services, string? done = null)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        return r is null ? refusal! : await KeysPageAsync(r, done == "rotated" ? "The rotation is scheduled; the table shows when the new key signs." : null, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> KeysPageAsync(ConsoleRequest r, string? notice, string? error, int status)
    {
        ApiAnswer answer = await r.GetAsync("/signing-keys");
        ConsoleHtml html = ConsoleHtml.Begin(r, "Signing keys", "keys").H1("Signing keys").Messages(notice, error ?? (answer.IsSuccess ? null : answer.ErrorDescription));
        html.Table("Keys published in the organisation's JWKS, newest first", "Key ID", "Algorithm", "State", "Created", "Signs from", "Retires after");
        foreach (JsonElement key in answer.IsSuccess ? answer.Body.Items("signing_keys") : [])
        {
            html.Raw("<tr>").Cell(key.Str("kid")).Cell(key.Str("alg")).Cell(key.Str("state")).Cell(ConsoleHtml.When(key.Str("created_at")))
                .Cell(ConsoleHtml.When(key.Str("activated_at") ?? key.Str("activates_at"))).Cell(ConsoleHtml.When(key.Str("retire_after"))).Raw("</tr>\n");
        }

        html.EndTable().H2("Rotate")
            .P("A scheduled rotation publishes the new key first and starts signing with it once relying parties have had time to fetch it. "
                + "Rotate at once only when the current key may be compromised: tokens it signed stay valid until they expire, and relying parties with a cached JWKS fail until they refetch it.", "hint")
            .Form(r.Base + "/keys/rotate").Check("At once (the key may be compromised)", "immediate", false).Button("Rotate the signing key").EndForm();
        return r.Page(html.End(), status);
    }

    private static async Task<IResult> RotateAsync(HttpContext context, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        bool immediate = r.Checked("immediate");
        ApiAnswer answer = await r.CallAsync("POST", "/signing-keys/rotate", [], ConsoleRequest.Json(w => w.WriteBoolean("immediate", immediate)));
        return answer.IsSuccess
            ? r.Done("/keys", "rotated")
            : await KeysPageAsync(r, null, ConsoleRequest.Problem(answer, "the organisation"), ConsoleRequest.StatusOf(answer));
    }
}
