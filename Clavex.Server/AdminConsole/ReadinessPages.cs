using System.Text.Json;
using Clavex.Core;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Server.Audit;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The Atlassian readiness check: what an admin verifies before switching Jira or Confluence to SSO, as a list of
/// passed, failed and to-check items. The client's registration, secrets and the organisation's signing key come from
/// the admin API; the claims from a <see cref="TestSignIn"/> for the user named (audited and revoked like the debugger's).
/// </summary>
internal static class ReadinessPages
{
    /// <summary>A browser or cookie holds at most about 4 KB per cookie; Tomcat's default maxHttpHeaderSize is 8 KB.</summary>
    private const int CookieLimit = 4096;
    private const int HeaderLimit = 8192;

    private static readonly (string Value, string Text, string Path)[] Integrations =
    [
        ("builtin", "Atlassian's built-in SSO", "/plugins/servlet/oidc/callback"),
        ("miniorange", "miniOrange OAuth/OIDC app", "/plugins/servlet/oauth/callback"),
    ];

    private static readonly string[] AtlassianScopes = ["openid", "profile", "email", "groups"];

    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/admin/clients/{clientId}/readiness", FormAsync);
        organization.MapPost("/admin/clients/{clientId}/readiness", CheckAsync);
    }

    private enum Verdict
    {
        Pass,
        Fail,
        Check,
    }

    private sealed record Item(string Title, Verdict Verdict, string Detail);

    private static async Task<IResult> FormAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        return r is null ? refusal! : r.Page(Form(r, clientId, null).End());
    }

    private static async Task<IResult> CheckAsync(
        HttpContext context, string clientId, [AsParameters] ConsoleServices services, IClientStore clients, OpenIdProvider provider, AuditLog audit)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        ApiAnswer registration = await r.GetAsync("/clients/{clientId}", ("clientId", clientId));
        Client? client = registration.IsSuccess ? await clients.FindAsync(r.Organization.Id, clientId, context.RequestAborted) : null;
        if (client is null)
        {
            return r.Page(Form(r, clientId, registration.ErrorDescription ?? $"There is no client '{clientId}'.").End(), StatusCodes.Status404NotFound);
        }

        (JsonElement? user, string? problem) = await TestSignInPages.FindUserAsync(r, r.Text("username"));
        if (user is null)
        {
            return r.Page(Form(r, clientId, problem).End(), StatusCodes.Status400BadRequest);
        }

        var items = new List<Item>();
        Issuer(items, r.Organization.Issuer);
        Registration(items, registration.Body, r);
        await SecretsAsync(items, r, clientId, registration.Body);
        await SigningAsync(items, r, registration.Body);

        TestSignInResult result = await TestSignInPages.RunAuditedAsync(r, provider, audit, client, user.Value.Str("sub")!, string.Join(' ', AtlassianScopes), "readiness");
        Claims(items, result, client, user.Value, r.LinesOf("atlassian_groups"));

        int failed = items.Count(i => i.Verdict == Verdict.Fail);
        ConsoleHtml html = Form(r, clientId, null);
        html.H2("Result").Messages(failed == 0 ? "Every item passed; the items marked \"check\" need your eye." : null,
            failed == 0 ? null : failed + (failed == 1 ? " item failed." : " items failed.") + " Fix them before switching Jira or Confluence to SSO.");
        html.Table($"Readiness of {clientId} for {user.Value.Str("username")}", "Item", "Result", "Detail");
        foreach (Item item in items)
        {
            (string text, string css) = item.Verdict switch
            {
                Verdict.Pass => ("pass", "pass"),
                Verdict.Fail => ("fail", "fail"),
                _ => ("check", "off"),
            };
            html.Raw("<tr>").Cell(item.Title).Cell(text, css).Cell(item.Detail).Raw("</tr>\n");
        }

        html.EndTable();
        return r.Page(html.End(), StatusCodes.Status200OK);
    }

    private static ConsoleHtml Form(ConsoleRequest r, string clientId, string? error)
    {
        string path = r.Base + "/clients/" + Uri.EscapeDataString(clientId);
        ConsoleHtml html = ConsoleHtml.Begin(r, "Readiness – " + clientId, "clients").H1("Atlassian readiness of " + clientId).Messages(null, error);
        html.Raw("<p>").Link(path, "Back to the client").Raw(" · ").Link(path + "/test", "Test sign-in").Raw("</p>\n")
            .P("Checks what Jira and Confluence need before you switch them to SSO. It signs the user below in as a test (revoked at once, audited).", "hint")
            .Form(path + "/readiness")
            .Field("Test with the user", "username", r.Text("username"), required: true)
            .Select("Integration", "integration", [.. Integrations.Select(i => (i.Value, i.Text))], r.Text("integration") is { Length: > 0 } chosen ? chosen : "builtin")
            .Field("Jira base URL", "jira_url", r.Text("jira_url"), "url", "As Jira shows it under System → General configuration, e.g. https://jira.acme.eu")
            .Field("Confluence base URL", "confluence_url", r.Text("confluence_url"), "url", "Leave empty if you use only Jira.")
            .Lines("Atlassian group names (optional, one per line)", "atlassian_groups", r.LinesOf("atlassian_groups"),
                "Paste the groups of your Jira or Confluence instance to compare them with the groups the token lists.")
            .Button("Run the check").EndForm();
        return html;
    }

    private static void Issuer(List<Item> items, string issuer)
    {
        // Atlassian fetches {issuer}/.well-known/openid-configuration and compares its issuer with what it was given, byte for byte.
        var uri = new Uri(issuer);
        string? drift = issuer.EndsWith('/') ? "it ends with '/'"
            : !string.Equals(uri.Host, uri.Host.ToLowerInvariant(), StringComparison.Ordinal) ? "its host has capitals"
            : issuer.Contains(":443/", StringComparison.Ordinal) || issuer.Contains(":80/", StringComparison.Ordinal) ? "it names the default port"
            : null;
        items.Add(drift is null
            ? new Item("Issuer", Verdict.Pass, $"Enter exactly {issuer} (discovery: {issuer}/.well-known/openid-configuration).")
            : new Item("Issuer", Verdict.Fail, $"{issuer}: {drift}, so it will not match what Jira compares. Set CLAVEX_PUBLIC_BASE_URL to the public URL without a trailing slash."));
        if (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
        {
            items.Add(new Item("HTTPS", Verdict.Fail, "The issuer is not https: Atlassian refuses plain-HTTP identity providers outside a test setup."));
        }
    }

    private static void Registration(List<Item> items, JsonElement client, ConsoleRequest r)
    {
        items.Add(client.Bool("enabled") ? new Item("Client enabled", Verdict.Pass, "The client can sign users in.") : new Item("Client enabled", Verdict.Fail, "The client is disabled."));
        string integration = r.Text("integration") == "miniorange" ? "miniorange" : "builtin";
        string callbackPath = Integrations.First(i => i.Value == integration).Path;
        IReadOnlyList<string> registered = client.Strings("redirect_uris");
        foreach ((string product, string field) in new[] { ("Jira", "jira_url"), ("Confluence", "confluence_url") })
        {
            string base_ = r.Text(field).TrimEnd('/');
            if (base_.Length == 0)
            {
                continue;
            }

            string callback = base_ + callbackPath;
            items.Add(registered.Contains(callback)
                ? new Item(product + " callback URL", Verdict.Pass, callback + " is registered.")
                : new Item(product + " callback URL", Verdict.Fail, $"{callback} is not registered; the registered ones are: {string.Join(", ", registered)}."));
        }

        if (r.Text("jira_url").Length == 0 && r.Text("confluence_url").Length == 0)
        {
            items.Add(registered.Any(u => u.EndsWith(callbackPath, StringComparison.Ordinal))
                ? new Item("Callback URLs", Verdict.Check, $"Enter the products' base URLs to check them; {string.Join(", ", registered.Where(u => u.EndsWith(callbackPath, StringComparison.Ordinal)))} end with {callbackPath}.")
                : new Item("Callback URLs", Verdict.Fail, $"No redirect URI ends with {callbackPath}, where the {Integrations.First(i => i.Value == integration).Text} calls back."));
        }

        IReadOnlyList<string> grants = client.Strings("grant_types");
        items.Add(grants.Contains("authorization_code")
            ? new Item("Grant types", Verdict.Pass, string.Join(", ", grants))
            : new Item("Grant types", Verdict.Fail, "authorization_code is not among the grant types; Atlassian signs users in with it."));
        IReadOnlyList<string> scopes = client.Strings("scopes");
        string[] missing = [.. AtlassianScopes.Where(s => !scopes.Contains(s))];
        items.Add(missing.Length == 0
            ? new Item("Scopes", Verdict.Pass, "openid profile email groups are registered; enter them in the SSO configuration.")
            : new Item("Scopes", Verdict.Fail, "Not registered: " + string.Join(' ', missing) + ". Without them the token lacks the username, email, name or groups."));
        string method = client.Str("token_endpoint_auth_method") ?? string.Empty;
        items.Add(method is "client_secret_post" or "client_secret_basic"
            ? new Item("Client authentication", Verdict.Pass, method + " (Clavex accepts the secret in the body or in HTTP Basic, as either product sends it).")
            : new Item("Client authentication", Verdict.Fail, $"{method}: Atlassian authenticates with a client secret; register the client with client_secret_post."));
    }

    private static async Task SecretsAsync(List<Item> items, ConsoleRequest r, string clientId, JsonElement client)
    {
        if (client.Str("token_endpoint_auth_method") is not ("client_secret_post" or "client_secret_basic"))
        {
            return;
        }

        ApiAnswer secrets = await r.GetAsync("/clients/{clientId}/secrets", ("clientId", clientId));
        IReadOnlyList<JsonElement> list = secrets.IsSuccess ? secrets.Body.Items("secrets") : [];
        JsonElement? lasting = list.FirstOrDefault(s => s.Str("expires_at") is null) is { ValueKind: JsonValueKind.Object } found ? found : null;
        if (lasting is JsonElement current)
        {
            IEnumerable<JsonElement> expiring = list.Where(s => s.Str("expires_at") is not null);
            string more = expiring.Any() ? " Older secrets expire at " + string.Join(", ", expiring.Select(s => ConsoleHtml.When(s.Str("expires_at")))) + "." : string.Empty;
            items.Add(new Item("Client secret", Verdict.Pass, $"{current.Str("id")} does not expire ({(current.Str("last_used_at") is string used ? "last used " + ConsoleHtml.When(used) : "not used yet")}).{more}"));
        }
        else
        {
            items.Add(new Item("Client secret", Verdict.Fail, list.Count == 0
                ? "The client has no secret."
                : "Every secret expires (" + string.Join(", ", list.Select(s => ConsoleHtml.When(s.Str("expires_at")))) + "): make a new one."));
        }
    }

    private static async Task SigningAsync(List<Item> items, ConsoleRequest r, JsonElement client)
    {
        ApiAnswer keys = await r.GetAsync("/signing-keys");
        string? current = keys.IsSuccess ? keys.Body.Items("signing_keys").FirstOrDefault(k => k.Str("state") == "current").Str("alg") : null;
        string? pin = client.Str("id_token_signed_response_alg");
        items.Add(current == "RS256" && pin == "RS256"
            ? new Item("Signing algorithm", Verdict.Pass, "ID tokens are signed with RS256, and the client is pinned to it, so the organisation cannot switch away.")
            : current == "RS256"
                ? new Item("Signing algorithm", Verdict.Check, "ID tokens are signed with RS256, but the client is not pinned: pin it (id_token_signed_response_alg RS256) so nobody switches the organisation to an algorithm Atlassian refuses.")
                : new Item("Signing algorithm", Verdict.Fail, $"ID tokens are signed with {current ?? "an unknown algorithm"}; Atlassian's built-in SSO accepts only RS256."));
    }

    private static void Claims(List<Item> items, TestSignInResult result, Client client, JsonElement user, IReadOnlyList<string> atlassianGroups)
    {
        if (!result.IsSuccess || result.IdToken is null)
        {
            items.Add(new Item("Test sign-in", Verdict.Fail, result.IsSuccess ? "No ID token was issued." : $"The {result.FailedStep} step refused: {result.Error}"));
            return;
        }

        JsonElement claims = TestSignInPages.Payload(result.IdToken);
        foreach (string name in new[] { "preferred_username", "email", "name" })
        {
            items.Add(claims.Str(name) is string value
                ? new Item($"{name} in the ID token", Verdict.Pass, value)
                : new Item($"{name} in the ID token", Verdict.Fail, $"Missing: the user has no {(name == "preferred_username" ? "username" : name)}, or the claim is kept for userinfo only."));
        }

        string groupsClaim = client.ClaimMapping.GroupsClaimName;
        if (!claims.TryGetProperty(groupsClaim, out JsonElement groups) || groups.ValueKind != JsonValueKind.Array)
        {
            items.Add(new Item(groupsClaim + " in the ID token", Verdict.Fail, "Missing: Jira's just-in-time provisioning would remove the user from every group."));
        }
        else
        {
            IReadOnlyList<string> listed = [.. groups.EnumerateArray().Select(g => g.GetString()!)];
            int dropped = ClaimSources.ExplainGroups(user.Strings("groups"), client.ClaimMapping).Count(o => o.Dropped is not null);
            items.Add(new Item(groupsClaim + " in the ID token", listed.Count > 0 ? Verdict.Pass : Verdict.Fail,
                (listed.Count > 0 ? string.Join(", ", listed) : "an empty list") + (dropped > 0 ? $" ({dropped} of the user's groups left out by the client's group rules)" : string.Empty)));
            if (atlassianGroups.Count > 0)
            {
                string[] unknown = [.. listed.Where(g => !atlassianGroups.Contains(g, StringComparer.Ordinal))];
                items.Add(unknown.Length == 0
                    ? new Item("Group names", Verdict.Pass, "Every group the token lists exists in the Atlassian instance.")
                    : new Item("Group names", Verdict.Fail, "Not in the Atlassian instance: " + string.Join(", ", unknown)
                        + ". Rename them in the client's claim mapping, or Jira creates them (or ignores them, depending on its provisioning settings)."));
            }
        }

        int size = result.IdToken.Length;
        items.Add(new Item("ID token size", size <= CookieLimit ? Verdict.Pass : size <= HeaderLimit ? Verdict.Check : Verdict.Fail,
            $"{size:N0} bytes: " + (size <= CookieLimit ? "fits a cookie and any header limit."
                : size <= HeaderLimit ? "over a browser cookie's 4 KB, under Tomcat's 8 KB header limit; fewer groups (an allow list or prefix) make it smaller."
                : "over Tomcat's default 8 KB maxHttpHeaderSize; limit the groups with an allow list or prefix.")));
    }
}
