namespace Clavex.Server.Admin;

/// <summary>
/// The admin API under <c>/api/v1</c>: organisations, their clients, users and groups, and the audit log. Every
/// request carries the admin token; a refused one is audited (<see cref="AdminAuthenticationFailures"/>); every
/// change is recorded in the audit log with the actor and a before/after summary. Each endpoint describes itself
/// for the OpenAPI document on its Map* line (<see cref="AdminOpenApi"/>).
/// </summary>
public static class AdminApi
{
    public const string Prefix = "/api/v1";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        RouteGroupBuilder api = app.MapGroup(Prefix);
        api.AddEndpointFilter(async (context, next) =>
        {
            HttpContext http = context.HttpContext;
            AdminAuthentication authentication = http.RequestServices.GetRequiredService<AdminAuthentication>();
            if (authentication.IsAuthorized(http.Request))
            {
                return await next(context);
            }

            await http.RequestServices.GetRequiredService<AdminAuthenticationFailures>().RecordAsync(http);
            return AdminAuthentication.Refuse(http);
        });
        api.ProducesAdminError(StatusCodes.Status401Unauthorized);

        api.MapOrganizationsApi();
        RouteGroupBuilder organization = api.MapGroup("/organizations/{org}");
        organization.MapAuditEventsApi();
        organization.MapClientsApi();
        organization.MapUsersApi();
        organization.MapGroupsApi();
        return app;
    }
}
