using System.Text.Json;
using Clavex.Core.Protocol;
using Clavex.Server.Admin;
using Clavex.Server.Http;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// One request of a signed-in admin: the organisation, the admin, the antiforgery token for the page's forms, the
/// posted form of a change, and the admin API calls the page makes with the admin's token (<see cref="ConsoleApi"/>).
/// </summary>
public sealed class ConsoleRequest
{
    private readonly ConsoleApi _api;
    private readonly BrowserForm? _form;

    private ConsoleRequest(HttpContext http, ConsoleAdmin admin, ConsoleApi api, string antiforgeryToken, BrowserForm? form)
    {
        Http = http;
        Organization = http.GetOrganization();
        Admin = admin;
        Base = ConsoleSignIn.Base(Organization);
        AntiforgeryToken = antiforgeryToken;
        _api = api;
        _form = form;
    }

    public HttpContext Http { get; }

    public Organization Organization { get; }

    public ConsoleAdmin Admin { get; }

    /// <summary><c>/{org}/admin</c>.</summary>
    public string Base { get; }

    public string AntiforgeryToken { get; }

    /// <summary>A posted field; null when absent or given twice.</summary>
    public string? Field(string name) => _form?.Get(name);

    /// <summary>A posted field, trimmed; empty when absent.</summary>
    public string Text(string name) => (_form?.Get(name) ?? string.Empty).Trim();

    public bool Checked(string name) => _form?.Get(name) == "on";

    /// <summary>The lines of a posted textarea, trimmed, without empty ones.</summary>
    public IReadOnlyList<string> LinesOf(string name) =>
        (_form?.Get(name) ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The admin behind a console request, or the answer for one that is not: a change needs its form's antiforgery
    /// token first (a forged POST changes nothing and learns nothing), then, like a page, a valid admin token.
    /// </summary>
    public static async Task<(ConsoleRequest? Request, IResult? Refusal)> OpenAsync(HttpContext context, ConsoleServices services, bool change)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(services);
        BrowserForm? form = null;
        if (change)
        {
            (form, IResult? refusal) = await BrowserForm.ReadAsync(context, services.Pages);
            if (refusal is not null)
            {
                return (null, refusal);
            }
        }

        (ConsoleAdmin? admin, IResult? signIn) = await services.SignIn.AuthenticateAsync(context);
        if (admin is null)
        {
            return (null, signIn);
        }

        string token = services.Pages.NewForm(context, ConsoleSignIn.Base(context.GetOrganization()), ProtocolParameters.Empty).AntiforgeryToken;
        return (new ConsoleRequest(context, admin, services.Api, token, form), null);
    }

    /// <summary>An admin API call under <c>/organizations/{org}</c>, e.g. <c>("GET", "/clients/{clientId}", ("clientId", id))</c>.</summary>
    public Task<ApiAnswer> CallAsync(string method, string template, (string Name, string Value)[] route, byte[]? json = null, string? ifMatch = null, QueryString query = default)
        => _api.CallAsync(Http, Admin.AccessToken, method, "/organizations/{org}" + template, [("org", Organization.Slug), .. route], json, ifMatch, query);

    public Task<ApiAnswer> GetAsync(string template, params (string Name, string Value)[] route) => CallAsync("GET", template, route);

    /// <summary>Whether a posted textarea still holds the lines it was shown with (line endings and outer spaces aside).</summary>
    public static bool SameLines(string? posted, string? shown)
    {
        static string Normal(string? text) =>
            string.Join('\n', (text ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return Normal(posted) == Normal(shown);
    }

    /// <summary>A JSON body, written as the admin API reads it.</summary>
    public static byte[] Json(Action<Utf8JsonWriter> write) => AdminResults.Write(write);

    public IResult Page(string html, int statusCode = StatusCodes.Status200OK) => new ConsolePage(html, statusCode);

    /// <summary>After a change: back to <paramref name="path"/> (under the console) with a notice, so a reload repeats nothing.</summary>
    public IResult Done(string path, string notice) =>
        Results.Redirect(Base + path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "done=" + Uri.EscapeDataString(notice), permanent: false, preserveMethod: false);

    /// <summary>A refusal of the API as a page status: its own (a 429 or a 503 included), and 409 for a conflicting edit.</summary>
    public static int StatusOf(ApiAnswer answer) =>
        answer.Status == StatusCodes.Status412PreconditionFailed ? StatusCodes.Status409Conflict : answer.Status is >= 400 and < 600 ? answer.Status : StatusCodes.Status502BadGateway;

    /// <summary>What the page says about a refused change; a concurrent edit in the console's words.</summary>
    public static string Problem(ApiAnswer answer, string what) =>
        answer.Status == StatusCodes.Status412PreconditionFailed
            ? $"Someone else changed {what} after you opened this page, so your change was not saved. The page now shows the current version: check it and make your change again."
            : answer.ErrorDescription ?? $"The change was refused ({answer.Status}).";
}

/// <summary>What every console handler uses, bound with <c>[AsParameters]</c>.</summary>
public sealed record ConsoleServices(ConsoleSignIn SignIn, ConsoleApi Api, BrowserPages Pages);

/// <summary>A console page with the console's security headers (<see cref="ConsoleAssets.Headers"/>).</summary>
internal sealed class ConsolePage(string html, int statusCode) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        HttpResponse response = httpContext.Response;
        response.StatusCode = statusCode;
        foreach (KeyValuePair<string, string> header in ConsoleAssets.Headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        byte[] body = System.Text.Encoding.UTF8.GetBytes(html);
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }
}
