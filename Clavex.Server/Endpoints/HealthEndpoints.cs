using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Endpoints;

/// <summary><c>/healthz</c>: the process is up. <c>/readyz</c>: the database answers and the schema is migrated.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (PgHealth health, CancellationToken cancellationToken) =>
        {
            try
            {
                return await health.IsMigratedAsync(cancellationToken)
                    ? Results.Text("ready")
                    : Results.Text("migrations pending", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (NpgsqlException)
            {
                return Results.Text("database unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return app;
    }
}
