using Clavex.Server.Http;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The admin console, <c>{issuer}/admin</c>: server-rendered pages over the admin API (<see cref="ConsoleApi"/>), for
/// the members of the organisation's <c>clavex-admins</c> group, signed in through the organisation's own
/// <c>/authorize</c> as the <see cref="ConsoleClient"/>. Each section maps its own pages.
/// </summary>
public static class ConsoleEndpoints
{
    public static RouteGroupBuilder MapConsole(this RouteGroupBuilder organization)
    {
        organization.MapGet("/admin", HomeAsync);
        organization.MapGet("/admin/callback", (HttpContext context, ConsoleSignIn signIn, string? code, string? state, string? error) =>
            signIn.CallbackAsync(context, code, state, error));
        organization.MapPost("/admin/sign-out", SignOutAsync);
        ClientPages.Map(organization);
        TestSignInPages.Map(organization);
        ReadinessPages.Map(organization);
        UserPages.Map(organization);
        GroupPages.Map(organization);
        AuditPages.Map(organization);
        return organization;
    }

    /// <summary>The console's script, like the passkey script: one file, cached, allowed by <c>script-src 'self'</c>.</summary>
    public static IEndpointRouteBuilder MapConsoleAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet(ConsoleAssets.ScriptPath, (HttpContext context) =>
        {
            context.Response.Headers.ETag = ConsoleAssets.ScriptETag;
            context.Response.Headers.CacheControl = "public, max-age=3600";
            context.Response.Headers[Login.SecurityHeaders.XContentTypeOptions] = "nosniff";
            return context.Request.Headers.IfNoneMatch == ConsoleAssets.ScriptETag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(ConsoleAssets.Script, "text/javascript; charset=utf-8");
        });
        return app;
    }

    private static async Task<IResult> HomeAsync(HttpContext context, [AsParameters] ConsoleServices services)
    {
        (ConsoleRequest? request, IResult? refusal) = await ConsoleRequest.OpenAsync(context, services, change: false);
        if (request is null)
        {
            return refusal!;
        }

        ApiAnswer clients = await request.GetAsync("/clients");
        ApiAnswer groups = await request.GetAsync("/groups");
        ConsoleHtml html = ConsoleHtml.Begin(request, "Overview", null).H1("Organisation " + request.Organization.Slug);
        html.Raw("<dl>\n<dt>Issuer</dt><dd><code>").Text(request.Organization.Issuer).Raw("</code></dd>\n")
            .Raw("<dt>Discovery</dt><dd><code>").Text(request.Organization.Issuer + "/.well-known/openid-configuration").Raw("</code></dd>\n")
            .Raw("<dt>Clients</dt><dd>").Text(Count(clients, "clients")).Raw("</dd>\n")
            .Raw("<dt>Groups</dt><dd>").Text(Count(groups, "groups")).Raw("</dd>\n</dl>\n");
        html.H2("Find a request by its reference")
            .P("Error pages show a reference, and every response carries it as X-Correlation-Id. Paste it here to see what happened in that request.", "hint")
            .GetForm(request.Base + "/audit").Field("Reference", "correlation_id", null).Button("Find").EndForm();
        return request.Page(html.End());
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, [AsParameters] ConsoleServices services)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, services.Pages);
        if (form is null)
        {
            return refusal!;
        }

        await services.SignIn.SignOutAsync(context);
        // The Clavex session stays: the admin is still signed in to the organisation's other applications.
        return services.Pages.Error(context, _ => "Signed out of the admin console",
            _ => "The console forgot its access in this browser. Your Clavex session is still open for your other applications; sign out there to end it.",
            StatusCodes.Status200OK);
    }

    private static string Count(ApiAnswer answer, string member) =>
        answer.IsSuccess ? answer.Body.GetProperty(member).GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture) : "—";
}
