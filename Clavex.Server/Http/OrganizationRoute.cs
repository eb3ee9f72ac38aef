using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Storage;

namespace Clavex.Server.Http;

/// <summary>Every protocol endpoint lives under <c>/{org}</c>; this filter resolves it once per request.</summary>
public static class OrganizationRoute
{
    private const string ItemKey = "clavex.organization";

    public static RouteGroupBuilder MapOrganizationGroup(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/{org}");
        group.AddEndpointFilter(async (context, next) =>
        {
            HttpContext http = context.HttpContext;
            string slug = (string)http.Request.RouteValues["org"]!;
            OrganizationDirectory directory = http.RequestServices.GetRequiredService<OrganizationDirectory>();
            Organization? organization = await directory.FindAsync(slug, http.RequestAborted);
            if (organization is null)
            {
                http.RequestServices.GetRequiredService<AuditLog>().Record(http, null, "request.unknown_organization", false, null, null,
                    ("organization", slug.Length <= 64 ? slug : slug[..64] + "…"), ("path", http.Request.Path.Value));
                // A browser (a user sent to a mistyped issuer) gets a page; a relying party the OAuth error JSON. A fixed
                // description in the JSON: the path segment is raw input. The slug is kept in the detail.
                return NotFound.WantsHtml(http)
                    ? http.RequestServices.GetRequiredService<BrowserPages>().Error(
                        http, t => t.UnknownOrganizationTitle, t => t.UnknownOrganization, StatusCodes.Status404NotFound)
                    : OAuthResults.Error(
                        OAuthError.InvalidRequest("There is no such organisation on this server.", $"unknown organisation {slug}"),
                        statusCode: StatusCodes.Status404NotFound);
            }

            http.Items[ItemKey] = organization;
            return await next(context);
        });
        return group;
    }

    /// <summary>The request's organisation, or null outside <see cref="MapOrganizationGroup"/> or before its filter ran.</summary>
    public static Organization? FindOrganization(this HttpContext context) =>
        (context ?? throw new ArgumentNullException(nameof(context))).Items[ItemKey] as Organization;

    public static Organization GetOrganization(this HttpContext context) =>
        (Organization)(context ?? throw new ArgumentNullException(nameof(context))).Items[ItemKey]!;
}
