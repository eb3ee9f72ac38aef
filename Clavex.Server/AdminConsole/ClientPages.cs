using System.Text.Json;
using Clavex.Server.Admin;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The console's clients: the list, registration (the secret shown this once, with a copy button), settings with
/// claim mapping and token lifetimes (saved with the ETag read, so a concurrent edit is a conflict, not an overwrite),
/// secret rotation with an overlap, enabling and disabling, and deletion after a confirmation.
/// </summary>
internal static class ClientPages
{
    private static readonly (string Value, string Text)[] AuthMethods =
    [
        ("client_secret_post", "client_secret_post — secret in the form (Atlassian, miniOrange)"),
        ("client_secret_basic", "client_secret_basic — secret in HTTP Basic"),
        ("none", "none — a public client (browser or native app, PKCE)"),
        ("private_key_jwt", "private_key_jwt — a signed assertion (its keys registered through the admin API)"),
    ];

    private static readonly (string Value, string Text)[] Overlaps =
        [("86400", "1 day"), ("3600", "1 hour"), ("604800", "7 days"), ("0", "No overlap: the old secret stops now")];

    private static readonly string[] GrantTypes = ["authorization_code", "refresh_token", "client_credentials"];

    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/admin/clients", ListAsync);
        organization.MapGet("/admin/clients/new", NewAsync);
        organization.MapPost("/admin/clients", CreateAsync);
        organization.MapGet("/admin/clients/{clientId}", ShowAsync);
        organization.MapPost("/admin/clients/{clientId}", UpdateAsync);
        organization.MapPost("/admin/clients/{clientId}/secrets", RotateAsync);
        organization.MapPost("/admin/clients/{clientId}/enabled", SetEnabledAsync);
        organization.MapGet("/admin/clients/{clientId}/delete", ConfirmDeleteAsync);
        organization.MapPost("/admin/clients/{clientId}/delete", DeleteAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, [AsParameters] ConsoleServices services, string? done = null)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        if (r is null)
        {
            return refusal!;
        }

        ApiAnswer answer = await r.GetAsync("/clients");
        ConsoleHtml html = ConsoleHtml.Begin(r, "Clients", "clients").H1("Clients").Messages(Notice(done), answer.IsSuccess ? null : answer.ErrorDescription);
        html.Raw("<p>").Link(r.Base + "/clients/new", "Register a client").Raw("</p>\n");
        html.Table("The applications that sign users in with this organisation", "Client ID", "Name", "State", "Authentication", "Grant types");
        foreach (JsonElement client in answer.IsSuccess ? answer.Body.Items("clients") : [])
        {
            string id = client.Str("client_id")!;
            html.Raw("<tr><td>").Link(r.Base + "/clients/" + Uri.EscapeDataString(id), id).Raw("</td>")
                .Cell(client.Str("client_name")).Cell(client.Bool("enabled") ? "enabled" : "disabled", client.Bool("enabled") ? null : "off")
                .Cell(client.Str("token_endpoint_auth_method")).Cell(string.Join(", ", client.Strings("grant_types"))).Raw("</tr>\n");
        }

        return r.Page(html.EndTable().End());
    }

    private static async Task<IResult> NewAsync(HttpContext context, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        return r is null ? refusal! : r.Page(NewForm(r, null, null));
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
            w.WriteString("client_id", r.Text("client_id"));
            WriteSettings(w, r);
        });
        ApiAnswer answer = await r.CallAsync("POST", "/clients", [], body);
        if (!answer.IsSuccess)
        {
            using JsonDocument posted = JsonDocument.Parse(body);
            return r.Page(NewForm(r, posted.RootElement, ConsoleRequest.Problem(answer, "the client")), ConsoleRequest.StatusOf(answer));
        }

        JsonElement client = answer.Body;
        string id = client.Str("client_id")!;
        ConsoleHtml html = ConsoleHtml.Begin(r, "Client registered", "clients").H1("Client " + id + " is registered")
            .Messages("The client is registered. Copy its secret now: Clavex stores only its hash and cannot show it again.", null);
        if (client.Str("client_secret") is string secret)
        {
            html.Secret("Client secret", secret);
        }

        Summary(html, r, client);
        html.Raw("<p>").Link(r.Base + "/clients/" + Uri.EscapeDataString(id), "Go to the client's settings").Raw("</p>\n");
        return r.Page(html.End(script: true), StatusCodes.Status201Created);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services, string? done = null)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        return r is null ? refusal! : await DetailAsync(r, clientId, Notice(done), null, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        ApiAnswer current = await r.GetAsync("/clients/{clientId}", ("clientId", clientId));
        if (!current.IsSuccess)
        {
            return await DetailAsync(r, clientId, null, current.ErrorDescription, null, ConsoleRequest.StatusOf(current));
        }

        (byte[]? body, string? problem) = Patch(r, current.Body);
        if (body is null)
        {
            return await DetailAsync(r, clientId, null, problem, null, StatusCodes.Status400BadRequest);
        }

        if (r.Field("preview") == "1")
        {
            return await PreviewAsync(r, clientId, current.Body, body);
        }

        ApiAnswer answer = await r.CallAsync("PATCH", "/clients/{clientId}", [("clientId", clientId)], body, r.Field("etag"));
        if (answer.IsSuccess)
        {
            return r.Done("/clients/" + Uri.EscapeDataString(clientId), "saved");
        }

        // A conflict shows the current version; any other refusal shows what the admin typed, to correct it.
        JsonElement? typed = null;
        if (answer.Status != StatusCodes.Status412PreconditionFailed)
        {
            using JsonDocument patch = JsonDocument.Parse(body);
            (JsonElement merged, AdminError? _) = JsonMergePatch.Apply(System.Text.Encoding.UTF8.GetBytes(current.Body.GetRawText()), patch.RootElement);
            typed = merged;
        }

        return await DetailAsync(r, clientId, null, ConsoleRequest.Problem(answer, "client " + clientId), typed, ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> RotateAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        long overlap = long.TryParse(r.Text("previous_secret_expires_in"), out long seconds) ? seconds : ClientsApi.DefaultPreviousSecretLifetimeSeconds;
        ApiAnswer answer = await r.CallAsync("POST", "/clients/{clientId}/secrets", [("clientId", clientId)],
            ConsoleRequest.Json(w => w.WriteNumber("previous_secret_expires_in", overlap)));
        if (!answer.IsSuccess)
        {
            return await DetailAsync(r, clientId, null, ConsoleRequest.Problem(answer, "client " + clientId), null, ConsoleRequest.StatusOf(answer));
        }

        ConsoleHtml html = ConsoleHtml.Begin(r, "New secret", "clients").H1("New secret for " + clientId)
            .Messages("Copy the new secret now: Clavex cannot show it again. Put it into Jira and Confluence; the previous secrets keep working until "
                + ConsoleHtml.When(answer.Body.Str("previous_secrets_expire_at")) + ".", null)
            .Secret("Client secret", answer.Body.Str("client_secret")!);
        html.Raw("<p>").Link(r.Base + "/clients/" + Uri.EscapeDataString(clientId), "Back to the client").Raw("</p>\n");
        return r.Page(html.End(script: true), StatusCodes.Status201Created);
    }

    private static async Task<IResult> SetEnabledAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        bool enable = r.Text("enabled") == "true";
        ApiAnswer answer = await r.CallAsync("PATCH", "/clients/{clientId}", [("clientId", clientId)], ConsoleRequest.Json(w => w.WriteBoolean("enabled", enable)), r.Field("etag"));
        return answer.IsSuccess
            ? r.Done("/clients/" + Uri.EscapeDataString(clientId), enable ? "enabled" : "disabled")
            : await DetailAsync(r, clientId, null, ConsoleRequest.Problem(answer, "client " + clientId), null, ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> ConfirmDeleteAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        if (r is null)
        {
            return refusal!;
        }

        ApiAnswer current = await r.GetAsync("/clients/{clientId}", ("clientId", clientId));
        if (!current.IsSuccess)
        {
            return await DetailAsync(r, clientId, null, current.ErrorDescription, null, ConsoleRequest.StatusOf(current));
        }

        ConsoleHtml html = ConsoleHtml.Begin(r, "Delete " + clientId, "clients").H1("Delete client " + clientId + "?")
            .P("Deleting the client deletes its secrets and revokes every grant and refresh token issued to it. Applications using it can no longer sign anyone in. "
                + "To stop it only for now, disable it instead.")
            .Form(r.Base + "/clients/" + Uri.EscapeDataString(clientId) + "/delete").Hidden("etag", current.ETag ?? string.Empty)
            .Button("Delete " + clientId, "danger").EndForm();
        html.Raw("<p>").Link(r.Base + "/clients/" + Uri.EscapeDataString(clientId), "Keep it").Raw("</p>\n");
        return r.Page(html.End());
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        ApiAnswer answer = await r.CallAsync("DELETE", "/clients/{clientId}", [("clientId", clientId)], null, r.Field("etag"));
        return answer.IsSuccess
            ? r.Done("/clients", "deleted")
            : await DetailAsync(r, clientId, null, ConsoleRequest.Problem(answer, "client " + clientId), null, ConsoleRequest.StatusOf(answer));
    }

    /// <summary>The client's page: its settings as a form (<paramref name="typed"/> when re-showing a refused change), its secrets, and its actions.</summary>
    private static async Task<IResult> DetailAsync(
        ConsoleRequest r, string clientId, string? notice, string? error, JsonElement? typed, int status, Action<ConsoleHtml>? preview = null)
    {
        ApiAnswer answer = await r.GetAsync("/clients/{clientId}", ("clientId", clientId));
        if (!answer.IsSuccess)
        {
            ConsoleHtml missing = ConsoleHtml.Begin(r, "Client", "clients").H1("Client " + clientId).Messages(null, error ?? answer.ErrorDescription);
            return r.Page(missing.End(), ConsoleRequest.StatusOf(answer));
        }

        JsonElement client = typed ?? answer.Body;
        string path = r.Base + "/clients/" + Uri.EscapeDataString(clientId);
        // A form re-shown with what the admin typed keeps the version they started from, so saving it still detects a change made since.
        string etag = (typed is null ? answer.ETag : r.Field("etag") ?? answer.ETag) ?? string.Empty;
        ConsoleHtml html = ConsoleHtml.Begin(r, "Client " + clientId, "clients").H1("Client " + clientId).Messages(notice, error);
        preview?.Invoke(html);
        if (clientId == ConsoleClient.ClientId)
        {
            html.P("This is the console's own client: disabling or deleting it, or turning off require_mfa, applies to this console. "
                + "A disabled console can be enabled again only with the admin API and the admin token.", "alert");
        }

        bool enabled = answer.Body.Bool("enabled");
        html.P(enabled ? "This client is enabled." : "This client is disabled: it cannot sign anyone in and its tokens are refused.", enabled ? null : "off")
            .Form(path + "/enabled", inline: true).Hidden("etag", etag).Hidden("enabled", enabled ? "false" : "true")
            .Button(enabled ? "Disable" : "Enable", "secondary").EndForm();
        html.Raw("<a").Attribute("href", path + "/delete").Raw(">Delete…</a>\n")
            .Raw("<p>").Link(path + "/test", "Test sign-in").Raw(" · ").Link(path + "/readiness", "Atlassian readiness check").Raw("</p>\n");

        html.H2("Settings").Form(path).Hidden("etag", etag);
        SettingsFields(html, client);
        html.Raw("<fieldset><legend>Token lifetimes (seconds)</legend>\n");
        JsonElement lifetimes = client.Obj("token_lifetimes");
        html.Field("Access token", "access_token", lifetimes.Number("access_token"), "number")
            .Field("ID token", "id_token", lifetimes.Number("id_token"), "number")
            .Field("Refresh token, unused for at most", "refresh_token_sliding", lifetimes.Number("refresh_token_sliding"), "number")
            .Field("Refresh token, at most after sign-in", "refresh_token_absolute", lifetimes.Number("refresh_token_absolute"), "number")
            .Raw("</fieldset>\n");
        JsonElement mapping = client.Obj("claim_mapping");
        html.Raw("<fieldset><legend>Claims</legend>\n")
            .Select("preferred_username from", "preferred_username_source", [("username", "the username"), ("email", "the email address")], mapping.Str("preferred_username_source"))
            .Field("Name of the groups claim", "groups_claim_name", mapping.Str("groups_claim_name"))
            .Lines("Only these groups (one per line; empty: all)", "group_allow_list", mapping.Strings("group_allow_list"))
            .Field("Only groups starting with", "group_prefix", mapping.Str("group_prefix"))
            .Lines("Rename groups (one per line: clavex-name = name in the token)", "group_renames", Renames(mapping))
            // Sent only when changed: a group name with '=' would not survive the round trip through the lines.
            .Hidden("group_renames_shown", string.Join('\n', Renames(mapping)))
            .Field("Claims only in userinfo, not the ID token (space-separated)", "userinfo_only_claims", string.Join(' ', mapping.Strings("userinfo_only_claims")));
        if (mapping.Items("extra_claims").Count > 0)
        {
            html.P("Extra claims (edited through the admin API):", "hint").Pretty(mapping.GetProperty("extra_claims"));
        }

        html.Raw("</fieldset>\n").Button("Save settings").Button("Preview the effect on groups", "secondary", "preview", "1").EndForm();

        if (answer.Body.Str("token_endpoint_auth_method") is "client_secret_post" or "client_secret_basic")
        {
            ApiAnswer secrets = await r.GetAsync("/clients/{clientId}/secrets", ("clientId", clientId));
            html.H2("Secrets").Table("Only their hashes are stored; a secret is shown once, when it is made", "ID", "Created", "Last used", "Expires");
            foreach (JsonElement secret in secrets.IsSuccess ? secrets.Body.Items("secrets") : [])
            {
                html.Raw("<tr>").Cell(secret.Str("id")).Cell(ConsoleHtml.When(secret.Str("created_at"))).Cell(ConsoleHtml.When(secret.Str("last_used_at")))
                    .Cell(secret.Str("expires_at") is null ? "never" : ConsoleHtml.When(secret.Str("expires_at"))).Raw("</tr>\n");
            }

            html.EndTable().Form(path + "/secrets")
                .Select("The current secrets keep working for", "previous_secret_expires_in", Overlaps, "86400",
                    "Long enough to put the new secret into every application that uses this client.")
                .Button("Make a new secret").EndForm();
        }

        return r.Page(html.End(), status);
    }

    /// <summary>The settings form's change, not saved: which users would gain or lose which groups in this client's tokens.</summary>
    private static async Task<IResult> PreviewAsync(ConsoleRequest r, string clientId, JsonElement current, byte[] body)
    {
        using JsonDocument patch = JsonDocument.Parse(body);
        (JsonElement merged, AdminError? mergeError) = JsonMergePatch.Apply(System.Text.Encoding.UTF8.GetBytes(current.GetRawText()), patch.RootElement);
        (Core.Clients.Client? before, string? unreadable) = ClaimPreview.Read(current, r.Organization.Id);
        (Core.Clients.Client? after, string? invalid) = mergeError is null ? ClaimPreview.Read(merged, r.Organization.Id) : (null, mergeError.Description);
        if (before is null || after is null)
        {
            return await DetailAsync(r, clientId, null, invalid ?? unreadable, mergeError is null ? merged : null, StatusCodes.Status400BadRequest);
        }

        (IReadOnlyList<JsonElement> users, bool truncated, string? error) = await ClaimPreview.UsersAsync(r, null);
        IReadOnlyList<ClaimPreview.Change> changes = ClaimPreview.Diff(users, g => ClaimPreview.GroupsClaim(before, g), g => ClaimPreview.GroupsClaim(after, g));
        string? renamedClaim = before.ClaimMapping.GroupsClaimName == after.ClaimMapping.GroupsClaimName ? null
            : $"The groups claim is renamed from {before.ClaimMapping.GroupsClaimName} to {after.ClaimMapping.GroupsClaimName}: change the group attribute in Jira and Confluence at the same moment, or every user loses every group.";
        return await DetailAsync(r, clientId, null, error, merged, StatusCodes.Status200OK,
            html => ClaimPreview.Render(html, "groups in " + clientId + "'s tokens", changes, users.Count, truncated, renamedClaim));
    }

    private static string NewForm(ConsoleRequest r, JsonElement? typed, string? error)
    {
        JsonElement client = typed ?? default;
        ConsoleHtml html = ConsoleHtml.Begin(r, "Register a client", "clients").H1("Register a client").Messages(null, error)
            .P("For Jira and Confluence, register one client for both: client_secret_post, the grant types authorization_code and refresh_token, "
                + "the scopes openid profile email groups, and both products' callback URLs (https://jira.example.com/plugins/servlet/oidc/callback).", "hint")
            .Form(r.Base + "/clients")
            .Field("Client ID", "client_id", typed is null ? null : client.Str("client_id"), required: true, hint: "Letters, digits, '-', '_' and '.'; it cannot be changed later.");
        if (typed is null)
        {
            using JsonDocument defaults = JsonDocument.Parse(
                """{"token_endpoint_auth_method":"client_secret_post","grant_types":["authorization_code","refresh_token"],"scopes":["openid","profile","email","groups"]}""");
            SettingsFields(html, defaults.RootElement.Clone());
        }
        else
        {
            SettingsFields(html, client);
        }

        return html.Button("Register").EndForm().End();
    }

    private static void SettingsFields(ConsoleHtml html, JsonElement client)
    {
        html.Field("Name", "client_name", client.Str("client_name"), hint: "Shown to users on the consent and sign-out pages.")
            .Select("Client authentication", "token_endpoint_auth_method", AuthMethods, client.Str("token_endpoint_auth_method"))
            .Lines("Redirect URIs (one per line, exact)", "redirect_uris", client.Strings("redirect_uris"))
            .Lines("Post-logout redirect URIs (one per line)", "post_logout_redirect_uris", client.Strings("post_logout_redirect_uris"))
            .Field("Scopes (space-separated)", "scopes", string.Join(' ', client.Strings("scopes")));
        html.Raw("<fieldset><legend>Grant types</legend>\n");
        IReadOnlyList<string> grants = client.Strings("grant_types");
        foreach (string grant in GrantTypes)
        {
            html.Check(grant, "grant_" + grant, grants.Contains(grant));
        }

        html.Raw("</fieldset>\n<fieldset><legend>Sign-in</legend>\n")
            .Check("Require PKCE", "require_pkce", client.Bool("require_pkce"))
            .Check("Ask users for consent", "require_consent", client.Bool("require_consent"))
            .Check("Require a second factor for every sign-in", "require_mfa", client.Bool("require_mfa"))
            .Check("Always issue a refresh token", "always_issue_refresh_token", client.Bool("always_issue_refresh_token"))
            .Raw("</fieldset>\n");
    }

    /// <summary>The fields the registration and the settings form share, as the API's members.</summary>
    private static void WriteSettings(Utf8JsonWriter w, ConsoleRequest r)
    {
        string name = r.Text("client_name");
        if (name.Length > 0)
        {
            w.WriteString("client_name", name);
        }

        w.WriteString("token_endpoint_auth_method", r.Text("token_endpoint_auth_method"));
        ClientJson.Strings(w, "redirect_uris", r.LinesOf("redirect_uris"));
        ClientJson.Strings(w, "post_logout_redirect_uris", r.LinesOf("post_logout_redirect_uris"));
        ClientJson.Strings(w, "scopes", r.Text("scopes").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        w.WriteStartArray("grant_types");
        foreach (string grant in GrantTypes)
        {
            if (r.Checked("grant_" + grant))
            {
                w.WriteStringValue(grant);
            }
        }

        w.WriteEndArray();
        w.WriteBoolean("require_pkce", r.Checked("require_pkce"));
        w.WriteBoolean("require_consent", r.Checked("require_consent"));
        w.WriteBoolean("require_mfa", r.Checked("require_mfa"));
        w.WriteBoolean("always_issue_refresh_token", r.Checked("always_issue_refresh_token"));
    }

    /// <summary>The settings form as a JSON Merge Patch of <paramref name="before"/>: renames no longer listed are removed (null).</summary>
    private static (byte[]? Body, string? Problem) Patch(ConsoleRequest r, JsonElement before)
    {
        var renames = new List<(string From, string To)>();
        foreach (string line in r.LinesOf("group_renames"))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == line.Length - 1)
            {
                return (null, $"The group rename '{line}' is not of the form clavex-name = name in the token.");
            }

            renames.Add((line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }

        long?[] lifetimes = new long?[4];
        string[] lifetimeNames = ["access_token", "id_token", "refresh_token_sliding", "refresh_token_absolute"];
        for (int i = 0; i < lifetimeNames.Length; i++)
        {
            string text = r.Text(lifetimeNames[i]);
            if (text.Length == 0)
            {
                continue;
            }

            if (!long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long seconds))
            {
                return (null, $"The {lifetimeNames[i].Replace('_', ' ')} lifetime must be a whole number of seconds; it is '{text}'.");
            }

            lifetimes[i] = seconds;
        }

        byte[] body = ConsoleRequest.Json(w =>
        {
            WriteSettings(w, r);
            if (r.Text("client_name").Length == 0)
            {
                w.WriteNull("client_name");
            }

            w.WriteStartObject("token_lifetimes");
            for (int i = 0; i < lifetimeNames.Length; i++)
            {
                // An emptied field removes the member (RFC 7396), so the lifetime is the default again.
                if (lifetimes[i] is long seconds)
                {
                    w.WriteNumber(lifetimeNames[i], seconds);
                }
                else
                {
                    w.WriteNull(lifetimeNames[i]);
                }
            }

            w.WriteEndObject();
            w.WriteStartObject("claim_mapping");
            w.WriteString("preferred_username_source", r.Text("preferred_username_source") is "email" ? "email" : "username");
            w.WriteString("groups_claim_name", r.Text("groups_claim_name"));
            IReadOnlyList<string> allow = r.LinesOf("group_allow_list");
            if (allow.Count > 0)
            {
                ClientJson.Strings(w, "group_allow_list", allow);
            }
            else
            {
                w.WriteNull("group_allow_list");
            }

            if (r.Text("group_prefix") is { Length: > 0 } prefix)
            {
                w.WriteString("group_prefix", prefix);
            }
            else
            {
                w.WriteNull("group_prefix");
            }

            if (!ConsoleRequest.SameLines(r.Field("group_renames"), r.Field("group_renames_shown")))
            {
                w.WriteStartObject("group_renames");
                foreach ((string from, string _) in before.Obj("claim_mapping").Members("group_renames"))
                {
                    if (!renames.Exists(x => x.From == from))
                    {
                        w.WriteNull(from);
                    }
                }

                foreach ((string from, string to) in renames)
                {
                    w.WriteString(from, to);
                }

                w.WriteEndObject();
            }
            ClientJson.Strings(w, "userinfo_only_claims", r.Text("userinfo_only_claims").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            w.WriteEndObject();
        });
        return (body, null);
    }

    private static IEnumerable<string> Renames(JsonElement mapping)
    {
        foreach ((string from, string to) in mapping.Members("group_renames"))
        {
            yield return from + " = " + to;
        }
    }

    private static void Summary(ConsoleHtml html, ConsoleRequest r, JsonElement client)
    {
        html.H2("What to enter in Jira and Confluence").Raw("<dl>\n")
            .Raw("<dt>Discovery URL</dt><dd><code>").Text(r.Organization.Issuer + "/.well-known/openid-configuration").Raw("</code></dd>\n")
            .Raw("<dt>Client ID</dt><dd><code>").Text(client.Str("client_id")).Raw("</code></dd>\n")
            .Raw("<dt>Scopes</dt><dd><code>").Text(string.Join(' ', client.Strings("scopes"))).Raw("</code></dd>\n")
            .Raw("<dt>Redirect URIs</dt><dd>").Text(string.Join(", ", client.Strings("redirect_uris"))).Raw("</dd>\n</dl>\n");
    }

    private static string? Notice(string? done) => done switch
    {
        "saved" => "The settings are saved.",
        "enabled" => "The client is enabled.",
        "disabled" => "The client is disabled.",
        "deleted" => "The client is deleted.",
        _ => null,
    };
}
