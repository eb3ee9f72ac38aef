namespace Clavex.Server.Admin;

/// <summary>
/// The admin API under <c>/api/v1</c>: organisations, their clients, users, groups and signing keys, and the audit
/// log. Every request carries the admin token, or, under one organisation's routes, an access token of one of its
/// admins; a refused one is audited (<see cref="AdminAuthenticationFailures"/>); every change is recorded in the audit
/// log with the actor and a before/after summary. Each endpoint describes itself for the OpenAPI document on its Map*
/// line (<see cref="AdminOpenApi"/>).
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
            IResult? refusal = await authentication.AuthenticateAsync(http);
            if (refusal is null)
            {
                if (await http.RequestServices.GetRequiredService<AdminRequestLimits>().AdmitAsync(http) is IResult limited)
                {
                    return limited;
                }

                // A NUL or lone surrogate in a path segment or query value would reach PostgreSQL and fail there (a 500).
                return UnstorableInput(http.Request) is string where
                    ? AdminResults.Error(new AdminError(AdminError.InvalidRequest,
                        $"The {where} contains U+0000 or an unpaired surrogate, which no name, id or filter in Clavex can hold."))
                    : await next(context);
            }

            await http.RequestServices.GetRequiredService<AdminAuthenticationFailures>().RecordAsync(http);
            return refusal;
        });
        api.ProducesAdminError(StatusCodes.Status401Unauthorized);

        api.MapOrganizationsApi();
        // Under one organisation an access token of one of its admins is accepted too; it may lack the admin scope (403).
        RouteGroupBuilder organization = api.MapGroup("/organizations/{org}").WithMetadata(OrganizationScoped.Instance);
        organization.ProducesAdminError(StatusCodes.Status403Forbidden);
        // After authentication (outer groups' filters run first), so a caller without a credential learns nothing
        // about which organisations exist.
        organization.AddEndpointFilter(async (context, next) =>
            await AdminRequest.ResolveOrganizationAsync(context.HttpContext) is AdminError missing
                ? AdminResults.Error(missing)
                : await next(context));
        organization.MapAuditEventsApi();
        organization.MapClientsApi();
        organization.MapUsersApi();
        organization.MapGroupsApi();
        organization.MapSigningKeysApi();
        return app;
    }

    private static string? UnstorableInput(HttpRequest request)
    {
        foreach (KeyValuePair<string, object?> value in request.RouteValues)
        {
            if (value.Value is string text && !Storage.StorableText.IsStorable(text))
            {
                return "path";
            }
        }

        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> item in request.Query)
        {
            if (!Storage.StorableText.IsStorable(item.Key))
            {
                return "query";
            }

            foreach (string? text in item.Value)
            {
                if (text is not null && !Storage.StorableText.IsStorable(text))
                {
                    return "query";
                }
            }
        }

        return null;
    }
}
