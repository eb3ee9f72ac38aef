using Clavex.Core.Protocol;
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
                // A fixed description: the path segment is raw input. The slug is kept in the detail.
                return OAuthResults.Error(
                    OAuthError.InvalidRequest("There is no such organisation on this server.", $"unknown organisation {slug}"),
                    statusCode: StatusCodes.Status404NotFound);
            }

            http.Items[ItemKey] = organization;
            return await next(context);
        });
        return group;
    }

    public static Organization GetOrganization(this HttpContext context) =>
        (Organization)(context ?? throw new ArgumentNullException(nameof(context))).Items[ItemKey]!;
}
