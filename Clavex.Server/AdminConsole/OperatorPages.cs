using System.Text.Json;
using Clavex.Core.Protocol;
using Clavex.Server.Admin;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Storage;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The operator's console at <c>/admin</c>, for whoever holds the admin token: the organisations (list, create), each
/// organisation's settings and policies (the ones its own admins may not change: sign-in and MFA policy, password
/// length, branding, signing algorithm and rotation, request limits), and the way to each organisation's console.
/// Like the organisations' console, every read and change is an admin API call made in process, here with the admin
/// token, so it is audited with the actor <c>admin</c>.
/// </summary>
internal static class OperatorPages
{
    public const string Base = "/admin";

    private static readonly (string Value, string Text)[] MfaPolicyOptions =
    [
        ("optional", "optional — users may add a second factor"),
        ("required", "required for everyone"),
        ("required_for_groups", "required for the groups below"),
    ];

    private static readonly (string Value, string Text)[] Algorithms = [("RS256", "RS256 (Atlassian needs this)"), ("PS256", "PS256"), ("ES256", "ES256")];

    public static IEndpointRouteBuilder MapOperatorConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet(Base, HomeAsync);
        app.MapGet(Base + "/organizations", HomeAsync);
        // An organisation's console by its slug: only a slug, so this redirect can lead nowhere but to a console.
        app.MapGet(Base + "/go", (string? org) => org is { Length: > 0 and <= 63 } && org.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            ? Results.Redirect("/" + org + "/admin", permanent: false, preserveMethod: false)
            : Results.Redirect(Base, permanent: false, preserveMethod: false));
        // Per address, like the token endpoint: the token is 256 random bits, but each refusal costs a page and an audit event.
        app.MapPost(Base + "/sign-in", SignInAsync).RequireRateLimiting(RequestRateLimits.Token);
        app.MapPost(Base + "/sign-out", SignOutAsync);
        app.MapPost(Base + "/organizations", CreateAsync);
        app.MapGet(Base + "/organizations/{org}", ShowAsync);
        app.MapPost(Base + "/organizations/{org}", UpdateAsync);
        app.MapPost(Base + "/organizations/{org}/admins", AddAdminAsync);
        return app;
    }

    /// <summary>What every operator page uses, bound with <c>[AsParameters]</c>.</summary>
    internal sealed record Services(OperatorSignIn SignIn, ConsoleApi Api, BrowserPages Pages, AuditLog Audit, Admin.AdminAuthenticationFailures Failures);

    private static async Task<IResult> HomeAsync(HttpContext context, [AsParameters] Services s, string? done = null)
    {
        string token = Token(context, s);
        if (!s.SignIn.IsSignedIn(context))
        {
            return SignInPage(token, null, StatusCodes.Status200OK);
        }

        return await ListAsync(context, s, token, done == "created" ? "The organisation is created." : null, null, null);
    }

    private static async Task<IResult> SignInAsync(HttpContext context, [AsParameters] Services s)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, s.Pages);
        if (form is null)
        {
            return refusal!;
        }

        if (!s.SignIn.TrySignIn(context, form.Get("admin_token") ?? string.Empty))
        {
            // Through the admin API's capped recorder: anyone can post this form, and the audit queue must not fill with it.
            await s.Failures.RecordAsync(context, "wrong_token");
            return SignInPage(Token(context, s), "That is not the admin token of this server (CLAVEX_ADMIN_TOKEN).", StatusCodes.Status401Unauthorized);
        }

        s.Audit.Record(context, null, "operator.signed_in", true, null, null, ("actor", Admin.AdminAuthentication.Actor));
        return Results.Redirect(Base, permanent: false, preserveMethod: false);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, [AsParameters] Services s)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, s.Pages);
        if (form is null)
        {
            return refusal!;
        }

        s.SignIn.SignOut(context);
        s.Audit.Record(context, null, "operator.signed_out", true, null, null, ("actor", Admin.AdminAuthentication.Actor));
        return Results.Redirect(Base, permanent: false, preserveMethod: false);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, [AsParameters] Services s)
    {
        (BrowserForm? form, IResult? refusal) = await ChangeAsync(context, s);
        if (form is null)
        {
            return refusal!;
        }

        string slug = (form.Get("slug") ?? string.Empty).Trim();
        string name = (form.Get("display_name") ?? string.Empty).Trim();
        ApiAnswer answer = await CallAsync(context, s, "POST", "/organizations", [], ConsoleRequest.Json(w =>
        {
            w.WriteString("slug", slug);
            w.WriteString("display_name", name);
        }));
        return answer.IsSuccess
            ? Results.Redirect(Base + "/organizations/" + Uri.EscapeDataString(slug) + "?done=created", permanent: false, preserveMethod: false)
            : await ListAsync(context, s, Token(context, s), null, ConsoleRequest.Problem(answer, "the organisation"), (slug, name), ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string org, [AsParameters] Services s, string? done = null)
    {
        if (!s.SignIn.IsSignedIn(context))
        {
            return SignInPage(Token(context, s), null, StatusCodes.Status200OK);
        }

        string? notice = done switch
        {
            "created" => "The organisation is created. Make its first console admin below.",
            "saved" => "The settings are saved.",
            "admin" => $"The user is a console admin: they sign in at /{org}/admin.",
            _ => null,
        };
        return await DetailAsync(context, s, org, notice, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string org, [AsParameters] Services s)
    {
        (BrowserForm? form, IResult? refusal) = await ChangeAsync(context, s);
        if (form is null)
        {
            return refusal!;
        }

        (byte[]? body, string? problem) = Patch(form);
        if (body is null)
        {
            return await DetailAsync(context, s, org, null, problem, StatusCodes.Status400BadRequest);
        }

        ApiAnswer answer = await CallAsync(context, s, "PATCH", "/organizations/{org}", [("org", org)], body, form.Get("etag"));
        return answer.IsSuccess
            ? Results.Redirect(Base + "/organizations/" + Uri.EscapeDataString(org) + "?done=saved", permanent: false, preserveMethod: false)
            : await DetailAsync(context, s, org, null, ConsoleRequest.Problem(answer, "organisation " + org), ConsoleRequest.StatusOf(answer));
    }

    private static async Task<IResult> ListAsync(HttpContext context, Services s, string token, string? notice, string? error, (string Slug, string Name)? typed, int status = StatusCodes.Status200OK)
    {
        ApiAnswer answer = await CallAsync(context, s, "GET", "/organizations", []);
        ConsoleHtml html = ConsoleHtml.BeginOperator(token, "Organisations").H1("Organisations").Messages(notice, error ?? (answer.IsSuccess ? null : answer.ErrorDescription));
        html.Table("The organisations this server serves; each has its own issuer, users, clients and console", "Organisation", "Name", "Issuer", "MFA", "");
        foreach (JsonElement organization in answer.IsSuccess ? answer.Body.Items("organizations") : [])
        {
            string slug = organization.Str("slug")!;
            html.Raw("<tr><td>").Link(Base + "/organizations/" + Uri.EscapeDataString(slug), slug).Raw("</td>").Cell(organization.Str("display_name"))
                .Raw("<td><code>").Text(organization.Str("issuer")).Raw("</code></td>").Cell(organization.Str("mfa_policy"))
                .Raw("<td>").Link("/" + slug + "/admin", "Open its console").Raw("</td></tr>\n");
        }

        html.EndTable().H2("Create an organisation").Form(Base + "/organizations")
            .Field("Slug", "slug", typed?.Slug, required: true, hint: "Lower-case letters, digits and '-': the issuer becomes {public URL}/{slug}, and cannot change later.")
            .Field("Display name", "display_name", typed?.Name, required: true, hint: "Shown on the sign-in pages.")
            .Button("Create").EndForm()
            .P("An organisation's first console admin is made with: Clavex.Server grant-console-admin --organization <slug> --username <user>.", "hint");
        return new ConsolePage(html.End(), status);
    }

    private static async Task<IResult> DetailAsync(HttpContext context, Services s, string org, string? notice, string? error, int status)
    {
        ApiAnswer answer = await CallAsync(context, s, "GET", "/organizations/{org}", [("org", org)]);
        string token = Token(context, s);
        if (!answer.IsSuccess)
        {
            return new ConsolePage(ConsoleHtml.BeginOperator(token, "Organisation").H1("Organisation " + org).Messages(null, error ?? answer.ErrorDescription).End(),
                ConsoleRequest.StatusOf(answer));
        }

        JsonElement o = answer.Body;
        ConsoleHtml html = ConsoleHtml.BeginOperator(token, "Organisation " + org).H1("Organisation " + org).Messages(notice, error);
        html.Raw("<dl>\n<dt>Issuer</dt><dd><code>").Text(o.Str("issuer")).Raw("</code></dd>\n<dt>Console</dt><dd>").Link("/" + org + "/admin", "/" + org + "/admin")
            .Raw("</dd>\n<dt>Created</dt><dd>").Text(ConsoleHtml.When(o.Str("created_at"))).Raw("</dd>\n</dl>\n");
        html.Form(Base + "/organizations/" + Uri.EscapeDataString(org)).Hidden("etag", answer.ETag ?? string.Empty)
            .Field("Display name", "display_name", o.Str("display_name"), required: true)
            .Raw("<fieldset><legend>Second factors</legend>\n")
            .Select("Policy", "mfa_policy", MfaPolicyOptions, o.Str("mfa_policy"))
            .Lines("Groups that must use one (for the policy required_for_groups; one per line)", "mfa_groups", o.Strings("mfa_groups"))
            .Field("Grace period to set one up (seconds)", "mfa_grace_period_seconds", o.Number("mfa_grace_period_seconds"), "number")
            .Check("Authenticator apps (TOTP)", "factor_totp", o.Strings("mfa_factors").Contains("totp"))
            .Check("Passkeys", "factor_passkey", o.Strings("mfa_factors").Contains("passkey"))
            .Check("Passwordless sign-in with a passkey", "passwordless", o.Bool("passwordless"))
            .Raw("</fieldset>\n<fieldset><legend>Passwords and branding</legend>\n")
            .Field("Minimum password length", "password_min_length", o.Number("password_min_length"), "number")
            .Field("Logo URL (https)", "logo_uri", o.Str("logo_uri"), "url")
            .Field("Accent colour (#rrggbb)", "accent_color", o.Str("accent_color"))
            .Raw("</fieldset>\n<fieldset><legend>Signing</legend>\n")
            .Select("Signing algorithm of future keys", "signing_algorithm", Algorithms, o.Str("signing_algorithm"),
                "A change takes effect with the next key; clients pinned to another algorithm make Clavex refuse it.")
            .Field("Rotate keys every (days)", "key_rotation_days", o.Number("key_rotation_days"), "number", "Empty keeps the current setting.")
            .Check("No scheduled rotation: keys change only when rotated by hand", "rotation_off", o.Long("key_rotation_days") is null)
            .Raw("</fieldset>\n<fieldset><legend>Request limits</legend>\n");
        foreach (RequestLimit limit in RequestLimits.All)
        {
            html.Field(limit.Name.Replace('_', ' '), "limit_" + limit.Name, o.Obj("request_limits").Number(limit.Name), "number", $"{limit.Meaning}; default {limit.Default}.");
        }

        html.Raw("</fieldset>\n").Button("Save settings").EndForm();

        ApiAnswer admins = await CallAsync(context, s, "GET", "/organizations/{org}/users", [("org", org)], query: QueryString.Create("group", Admin.OrganizationAdminTokens.AdminGroup).Add("limit", "200"));
        html.H2("Console admins").Table($"The members of {Admin.OrganizationAdminTokens.AdminGroup}, who may open /{org}/admin", "Username", "Name", "Email");
        foreach (JsonElement user in admins.IsSuccess ? admins.Body.Items("users") : [])
        {
            html.Raw("<tr>").Cell(user.Str("username")).Cell(user.Str("name")).Cell(user.Str("email")).Raw("</tr>\n");
        }

        html.EndTable().P("Make a console admin: an existing user by username, or a new one with a first password "
                + "(they set up a second factor at their first sign-in).", "hint")
            .Form(Base + "/organizations/" + Uri.EscapeDataString(org) + "/admins")
            .Field("Username", "username", null, required: true)
            .Field("Email (for a new user)", "email", null, "email")
            .Field("Full name (for a new user)", "name", null)
            .Field("First password (for a new user)", "password", null, "password", autocomplete: "new-password")
            .Button("Make admin").EndForm();
        return new ConsolePage(html.End(), status);
    }

    /// <summary>
    /// The organisation's first console admin without a terminal: the group made if missing, then an existing user
    /// added to it, or a new one created in it; each step one admin API call.
    /// </summary>
    private static async Task<IResult> AddAdminAsync(HttpContext context, string org, [AsParameters] Services s)
    {
        (BrowserForm? form, IResult? refusal) = await ChangeAsync(context, s);
        if (form is null)
        {
            return refusal!;
        }

        string username = (form.Get("username") ?? string.Empty).Trim();
        string group = Admin.OrganizationAdminTokens.AdminGroup;
        ApiAnswer made = await CallAsync(context, s, "POST", "/organizations/{org}/groups", [("org", org)], ConsoleRequest.Json(w => w.WriteString("name", group)));
        if (!made.IsSuccess && made.Status != StatusCodes.Status409Conflict)
        {
            return await DetailAsync(context, s, org, null, made.ErrorDescription, ConsoleRequest.StatusOf(made));
        }

        ApiAnswer found = await CallAsync(context, s, "GET", "/organizations/{org}/users", [("org", org)], query: QueryString.Create("username", username));
        ApiAnswer answer;
        if (found.IsSuccess && found.Body.Items("users") is [JsonElement user, ..])
        {
            answer = await CallAsync(context, s, "PUT", "/organizations/{org}/groups/{name}/members/{sub}", [("org", org), ("name", group), ("sub", user.Str("sub")!)]);
        }
        else
        {
            answer = await CallAsync(context, s, "POST", "/organizations/{org}/users", [("org", org)], ConsoleRequest.Json(w =>
            {
                w.WriteString("username", username);
                foreach (string field in (string[])["email", "name", "password"])
                {
                    if ((form.Get(field) ?? string.Empty).Trim() is { Length: > 0 } value)
                    {
                        w.WriteString(field, field == "password" ? form.Get(field)! : value);
                    }
                }

                w.WriteStartArray("groups");
                w.WriteStringValue(group);
                w.WriteEndArray();
            }));
        }

        return answer.IsSuccess
            ? Results.Redirect(Base + "/organizations/" + Uri.EscapeDataString(org) + "?done=admin", permanent: false, preserveMethod: false)
            : await DetailAsync(context, s, org, null, ConsoleRequest.Problem(answer, "the user"), ConsoleRequest.StatusOf(answer));
    }

    /// <summary>The settings form as a JSON Merge Patch of the organisation.</summary>
    private static (byte[]? Body, string? Problem) Patch(BrowserForm form)
    {
        string Text(string name) => (form.Get(name) ?? string.Empty).Trim();
        foreach (string name in (string[])["mfa_grace_period_seconds", "password_min_length", "key_rotation_days"])
        {
            if (Text(name).Length > 0 && !IsWholeNumber(Text(name)))
            {
                return (null, $"{name.Replace('_', ' ')} must be a whole number; it is '{Text(name)}'.");
            }
        }

        foreach (RequestLimit limit in RequestLimits.All)
        {
            if (Text("limit_" + limit.Name).Length > 0 && !IsWholeNumber(Text("limit_" + limit.Name)))
            {
                return (null, $"{limit.Name.Replace('_', ' ')} must be a whole number; it is '{Text("limit_" + limit.Name)}'.");
            }
        }

        return (ConsoleRequest.Json(w =>
        {
            w.WriteString("display_name", Text("display_name"));
            w.WriteString("mfa_policy", Text("mfa_policy"));
            w.WriteStartArray("mfa_groups");
            foreach (string group in Text("mfa_groups").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                w.WriteStringValue(group);
            }

            w.WriteEndArray();
            WriteNumber(w, "mfa_grace_period_seconds", Text("mfa_grace_period_seconds"));
            w.WriteStartArray("mfa_factors");
            if (form.Get("factor_totp") == "on")
            {
                w.WriteStringValue("totp");
            }

            if (form.Get("factor_passkey") == "on")
            {
                w.WriteStringValue("passkey");
            }

            w.WriteEndArray();
            w.WriteBoolean("passwordless", form.Get("passwordless") == "on");
            WriteNumber(w, "password_min_length", Text("password_min_length"));
            // An emptied field removes the logo or colour.
            w.WriteStringOrNull("logo_uri", Text("logo_uri") is { Length: > 0 } logo ? logo : null);
            w.WriteStringOrNull("accent_color", Text("accent_color") is { Length: > 0 } accent ? accent : null);
            w.WriteString("signing_algorithm", Text("signing_algorithm"));
            // null turns scheduled rotation off, so only the explicit box writes it; an empty field changes nothing.
            if (form.Get("rotation_off") == "on")
            {
                w.WriteNull("key_rotation_days");
            }
            else if (Text("key_rotation_days").Length > 0)
            {
                WriteNumber(w, "key_rotation_days", Text("key_rotation_days"));
            }
            w.WriteStartObject("request_limits");
            foreach (RequestLimit limit in RequestLimits.All)
            {
                // The default is written as null, so the organisation keeps following it if a later version changes it.
                string value = Text("limit_" + limit.Name);
                WriteNumber(w, limit.Name, value == limit.Default.ToString(System.Globalization.CultureInfo.InvariantCulture) ? string.Empty : value);
            }

            w.WriteEndObject();
        }), null);
    }

    private static bool IsWholeNumber(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static void WriteNumber(Utf8JsonWriter w, string name, string text)
    {
        if (text.Length == 0)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteNumber(name, long.Parse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A change: the form's antiforgery token first, then the operator's cookie.</summary>
    private static async Task<(BrowserForm? Form, IResult? Refusal)> ChangeAsync(HttpContext context, Services s)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, s.Pages);
        if (form is null)
        {
            return (null, refusal);
        }

        return s.SignIn.IsSignedIn(context) ? (form, null) : (null, SignInPage(Token(context, s), "Sign in again: the operator session has ended.", StatusCodes.Status401Unauthorized));
    }

    private static Task<ApiAnswer> CallAsync(
        HttpContext context, Services s, string method, string template, (string Name, string Value)[] route, byte[]? json = null, string? ifMatch = null, QueryString query = default) =>
        s.Api.CallAsync(context, s.SignIn.AdminToken, method, template, route, json, ifMatch, query);

    private static string Token(HttpContext context, Services s) => s.Pages.NewForm(context, Base, ProtocolParameters.Empty).AntiforgeryToken;

    private static ConsolePage SignInPage(string token, string? error, int status)
    {
        // No header of a signed-in console: a plain page with the two ways in.
        Login.HtmlWriter html = Login.HtmlWriter.BeginDocument("en", "Clavex operator", ConsoleAssets.Stylesheet);
        html.Raw("<main id=\"main\">\n<h1>Clavex</h1>\n");
        if (error is not null)
        {
            html.Raw("<p role=\"alert\" class=\"alert\" id=\"error\">").Text(error).Raw("</p>\n");
        }

        html.Raw("<h2>An organisation's console</h2>\n<p class=\"hint\">For the admins of one organisation, who sign in with their own account.</p>\n")
            .Raw("<form method=\"get\" action=\"/admin/go\">\n<label for=\"f-org\">Organisation</label>\n<input type=\"text\" id=\"f-org\" name=\"org\" required=\"\" autocomplete=\"organization\" />\n")
            .Raw("<button type=\"submit\">Open</button>\n</form>\n")
            .Raw("<h2>The operator's console</h2>\n<p class=\"hint\">Organisations and their policies, for whoever holds this server's admin token (CLAVEX_ADMIN_TOKEN).</p>\n")
            .Raw("<form method=\"post\" action=\"/admin/sign-in\">\n").HiddenInput(Login.AntiforgeryTokens.FormFieldName, token)
            .Raw("<label for=\"f-admin_token\">Admin token</label>\n<input type=\"password\" id=\"f-admin_token\" name=\"admin_token\" required=\"\" autocomplete=\"off\" />\n")
            .Raw("<button type=\"submit\">Sign in</button>\n</form>\n</main>\n");
        return new ConsolePage(html.EndDocument(null), status);
    }
}
