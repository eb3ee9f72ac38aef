using System.Globalization;
using System.Text;
using System.Text.Json;
using Clavex.Core;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Server.Audit;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The sign-in debugger ("test login"): for one client and a chosen user, <see cref="TestSignIn"/> runs the client's
/// authorization request, code and token exchange and userinfo call, and the page shows side by side what the client
/// receives, each claim with its source, the token sizes, and what the client's group rules did to each group. The
/// grant is revoked before the page is written; the run is audited as <c>console.test_sign_in</c>.
/// </summary>
internal static class TestSignInPages
{
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/admin/clients/{clientId}/test", FormAsync);
        organization.MapPost("/admin/clients/{clientId}/test", RunAsync);
    }

    private static async Task<IResult> FormAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services, IClientStore clients)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        if (r is null)
        {
            return refusal!;
        }

        Client? client = clientId.Length <= 128 && Storage.StorableText.IsStorable(clientId) ? await clients.FindAsync(r.Organization.Id, clientId, context.RequestAborted) : null;
        return r.Page(Form(r, clientId, client, null, null, null).End(), client is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
    }

    private static async Task<IResult> RunAsync(HttpContext context, string clientId, [AsParameters] ConsoleServices services, IClientStore clients, OpenIdProvider provider, AuditLog audit)
    {
        (ConsoleRequest? r, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: true);
        if (r is null)
        {
            return refusal!;
        }

        Client? client = clientId.Length <= 128 && Storage.StorableText.IsStorable(clientId) ? await clients.FindAsync(r.Organization.Id, clientId, context.RequestAborted) : null;
        string username = r.Text("username");
        string scope = r.Text("scope");
        if (client is null)
        {
            return r.Page(Form(r, clientId, null, username, scope, null).End(), StatusCodes.Status404NotFound);
        }

        (JsonElement? user, string? problem) = await FindUserAsync(r, username);
        if (user is null)
        {
            return r.Page(Form(r, clientId, client, username, scope, problem).End(), StatusCodes.Status400BadRequest);
        }

        string subject = user.Value.Str("sub")!;
        TestSignInResult result = await RunAuditedAsync(r, provider, audit, client, subject, scope.Length > 0 ? scope : string.Join(' ', client.Scopes), purpose: null);
        if (!result.IsSuccess)
        {
            return r.Page(Form(r, clientId, client, username, scope,
                $"The {result.FailedStep} step refused: {result.Error!.ErrorName}: {result.Error.Description}").End(), StatusCodes.Status422UnprocessableEntity);
        }

        ConsoleHtml html = Form(r, clientId, client, username, scope, null);
        Results(html, client, user.Value, result);
        return r.Page(html.End());
    }

    /// <summary>A test sign-in for the admin of <paramref name="r"/>, audited as <c>console.test_sign_in</c> (the debugger's, or the readiness check's).</summary>
    internal static async Task<TestSignInResult> RunAuditedAsync(
        ConsoleRequest r, OpenIdProvider provider, AuditLog audit, Client client, string subject, string scope, string? purpose)
    {
        TestSignInResult result = await provider.TestSignIn.RunAsync(r.Organization, client, subject, scope, r.Http.RequestAborted);
        audit.Record(r.Http, r.Organization, "console.test_sign_in", result.IsSuccess, client.ClientId, subject,
            ("actor", r.Admin.Subject), ("grant_id", result.GrantId), ("revoked", result.GrantId is null ? null : "true"), ("purpose", purpose),
            ("error", result.Error?.ErrorName), ("step", result.FailedStep));
        return result;
    }

    /// <summary>The user named <paramref name="username"/>, through the admin API's list (exact, any case).</summary>
    internal static async Task<(JsonElement? User, string? Problem)> FindUserAsync(ConsoleRequest r, string username)
    {
        if (username.Length == 0)
        {
            return (null, "Enter the username of the user to test with.");
        }

        ApiAnswer found = await r.CallAsync("GET", "/users", [], query: QueryString.Create("username", username));
        return found.IsSuccess && found.Body.Items("users") is [JsonElement user, ..]
            ? (user, null)
            : (null, found.IsSuccess ? $"There is no user '{username}'." : found.ErrorDescription);
    }

    private static ConsoleHtml Form(ConsoleRequest r, string clientId, Client? client, string? username, string? scope, string? error)
    {
        string path = r.Base + "/clients/" + Uri.EscapeDataString(clientId);
        ConsoleHtml html = ConsoleHtml.Begin(r, "Test sign-in – " + clientId, "clients").H1("Test sign-in for " + clientId)
            .Messages(null, client is null ? $"There is no client '{clientId}'." : error);
        html.Raw("<p>").Link(path, "Back to the client").Raw(" · ").Link(path + "/readiness", "Atlassian readiness check").Raw("</p>\n");
        if (client is null)
        {
            return html;
        }

        return html.P("Runs this client's sign-in for the user you choose, through the real authorization request, code exchange and userinfo call "
                + "with the client's claim mapping, and shows what the client receives. The tokens are revoked before this page is shown.", "hint")
            .Form(path + "/test").Field("Username", "username", username, required: true)
            .Field("Scopes", "scope", string.IsNullOrEmpty(scope) ? string.Join(' ', client.Scopes) : scope, hint: "The client's registered scopes by default.")
            .Button("Run test sign-in").EndForm();
    }

    private static void Results(ConsoleHtml html, Client client, JsonElement user, TestSignInResult result)
    {
        html.H2("What " + client.ClientId + " receives").Raw("<table>\n<caption class=\"hint\">Sizes are of the compact tokens as sent</caption>\n")
            .Raw("<thead><tr><th scope=\"col\">Token</th><th scope=\"col\">Size</th><th scope=\"col\">Algorithm</th></tr></thead>\n<tbody>\n");
        foreach ((string name, string? token) in new[] { ("ID token", result.IdToken), ("Access token", result.AccessToken) })
        {
            html.Raw("<tr>").Cell(name).Cell(token is null ? "not issued" : Size(token)).Cell(token is null ? "—" : Header(token).Str("alg")).Raw("</tr>\n");
        }

        html.Raw("<tr>").Cell("Refresh token").Cell(result.HasRefreshToken ? "issued (opaque)" : "not issued").Cell("—").Raw("</tr>\n</tbody>\n</table>\n");
        html.P("All of them are revoked: the refresh and access tokens are refused from now on.", "hint");

        html.Raw("<div class=\"side\">\n<div>\n");
        Claims(html, "ID token", result.IdToken is null ? null : Payload(result.IdToken), client.ClaimMapping, accessToken: false);
        html.Raw("</div>\n<div>\n");
        Claims(html, "Access token", result.AccessToken is null ? null : Payload(result.AccessToken), client.ClaimMapping, accessToken: true);
        html.Raw("</div>\n<div>\n");
        if (result.UserInfoJson is byte[] info)
        {
            using JsonDocument document = JsonDocument.Parse(info);
            Claims(html, "Userinfo response", document.RootElement.Clone(), client.ClaimMapping, accessToken: false);
        }
        else
        {
            html.H2("Userinfo response").P("Refused: " + result.UserInfoError, "alert");
        }

        html.Raw("</div>\n</div>\n");

        IReadOnlyList<string> groups = user.Strings("groups");
        html.H2("Groups").Table($"{user.Str("username")}'s groups and this client's group rules", "Group in Clavex", "In the token as", "Why");
        foreach (GroupOutcome outcome in ClaimSources.ExplainGroups(groups, client.ClaimMapping))
        {
            html.Raw("<tr>").Cell(outcome.Group).Cell(outcome.Name ?? "—", outcome.Name is null ? "fail" : null).Cell(outcome.Explanation).Raw("</tr>\n");
        }

        html.EndTable();
        if (groups.Count == 0)
        {
            html.P("The user is in no group, so the groups claim is an empty list; Jira's just-in-time provisioning removes them from every group.", "alert");
        }
    }

    private static void Claims(ConsoleHtml html, string title, JsonElement? claims, ClaimMapping mapping, bool accessToken)
    {
        html.H2(title);
        if (claims is not JsonElement payload)
        {
            html.P("Not issued.");
            return;
        }

        html.Table(title + ": every claim and where it comes from", "Claim", "Value", "Source");
        foreach (JsonProperty claim in payload.EnumerateObject())
        {
            string value = claim.Value.ValueKind == JsonValueKind.String ? claim.Value.GetString()! : claim.Value.GetRawText();
            if (claim.Name is "exp" or "iat" or "nbf" or "auth_time" && claim.Value.TryGetInt64(out long seconds))
            {
                value += " (" + DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) + ")";
            }

            html.Raw("<tr><td><code>").Text(claim.Name).Raw("</code></td>").Cell(value).Cell(ClaimSources.Describe(claim.Name, mapping, accessToken)).Raw("</tr>\n");
        }

        html.EndTable();
    }

    internal static JsonElement Payload(string jwt) => Part(jwt, 1);

    internal static JsonElement Header(string jwt) => Part(jwt, 0);

    internal static string Size(string token) =>
        Encoding.ASCII.GetByteCount(token).ToString("N0", CultureInfo.InvariantCulture) + " bytes";

    private static JsonElement Part(string jwt, int index)
    {
        string[] parts = jwt.Split('.');
        string encoded = parts[index];
        byte[] buffer = new byte[Base64UrlEncoding.GetDecodedLength(encoded.Length)];
        if (!Base64UrlEncoding.TryDecode(encoded, buffer, out int written))
        {
            return default;
        }

        using JsonDocument document = JsonDocument.Parse(buffer.AsMemory(0, written));
        return document.RootElement.Clone();
    }
}
