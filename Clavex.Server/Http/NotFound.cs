using System.Text.RegularExpressions;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Http;

/// <summary>
/// What a request for no endpoint gets: a clear answer instead of an empty 404. An issuer with a slash at the end is
/// the commonest Atlassian mistake (<c>https://id.acme.eu/acme/</c> makes Jira ask for <c>/acme//.well-known/…</c>),
/// so a doubled or trailing slash is named, with the path that would have worked, and audited under the organisation
/// it names. A browser gets an HTML page, anything else JSON; other unknown paths (scanners) are answered the same
/// way but not audited.
/// </summary>
public static partial class NotFound
{
    /// <summary>Whether the request prefers HTML (a person's browser), not JSON (a relying party or script).</summary>
    public static bool WantsHtml(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The app's last middleware: reached only when no endpoint matched the request.</summary>
    public static async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IServiceProvider services = context.RequestServices;
        IResult result = await AnswerAsync(
            context, services.GetRequiredService<BrowserPages>(), services.GetRequiredService<AuditLog>(), services.GetRequiredService<OrganizationDirectory>());
        await result.ExecuteAsync(context);
    }

    private static async Task<IResult> AnswerAsync(HttpContext context, BrowserPages pages, AuditLog audit, OrganizationDirectory directory)
    {
        string path = context.Request.Path.Value ?? "/";
        string collapsed = Slashes().Replace(path, "/");
        string? reason = collapsed != path ? "doubled_slash" : path.Length > 1 && path.EndsWith('/') ? "trailing_slash" : null;
        if (reason == "trailing_slash")
        {
            collapsed = path.TrimEnd('/');
        }

        int end = collapsed.IndexOf('/', 1);
        string slug = end < 0 ? collapsed[1..] : collapsed[1..end];
        Organization? organization = slug.Length is > 0 and <= 64 ? await directory.FindAsync(slug, context.RequestAborted) : null;
        Func<PageTexts, string> message = reason switch
        {
            "doubled_slash" when organization is not null => t => PageTexts.Format(t.DoubledSlashAtIssuer, organization.Issuer),
            "trailing_slash" when organization is not null => t => PageTexts.Format(t.TrailingSlashAtIssuer, organization.Issuer),
            "doubled_slash" => t => t.DoubledSlash,
            _ => t => t.NothingHere,
        };
        if (reason is not null || organization is not null)
        {
            audit.Record(context, organization, "request.not_found", false, null, null,
                ("reason", reason ?? "unknown_path"), ("path", Cut(path)), ("suggested_path", reason is null ? null : Cut(collapsed)));
        }

        // The JSON answer, for relying parties and scripts, is English.
        return WantsHtml(context)
            ? pages.Error(context, t => t.NotFoundTitle, message, StatusCodes.Status404NotFound, organization)
            : OAuthResults.Error(OAuthError.InvalidRequest(message(PageTexts.English)), statusCode: StatusCodes.Status404NotFound);
    }

    private static string Cut(string path) => path.Length <= 200 ? path : path[..200] + "…";

    [GeneratedRegex("/{2,}")]
    private static partial Regex Slashes();
}
