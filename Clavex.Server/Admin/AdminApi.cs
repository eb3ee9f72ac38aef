namespace Clavex.Server.Admin;

/// <summary>
/// The admin API under <c>/api/v1</c>: organisations, their clients, users, groups and signing keys. Every request
/// carries the admin token, or, under one organisation's routes, an access token of one of its admins; every change is
/// recorded in the audit log with the actor and a before/after summary.
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
            AdminAuthentication authentication = context.HttpContext.RequestServices.GetRequiredService<AdminAuthentication>();
            return await authentication.AuthenticateAsync(context.HttpContext) ?? await next(context);
        });

        api.MapOrganizationsApi();
        RouteGroupBuilder organization = api.MapGroup("/organizations/{org}").WithMetadata(OrganizationScoped.Instance);
        organization.MapClientsApi();
        organization.MapUsersApi();
        organization.MapGroupsApi();
        organization.MapSigningKeysApi();
        return app;
    }
}
