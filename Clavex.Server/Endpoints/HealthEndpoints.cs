using Npgsql;

namespace Clavex.Server.Endpoints;

/// <summary><c>/healthz</c>: the process is up. <c>/readyz</c>: the database answers and the schema is migrated.</summary>
public static class HealthEndpoints
{
    private const string LatestMigration = "SELECT coalesce(max(version), 0) FROM schema_migrations";

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            try
            {
                await using NpgsqlCommand command = dataSource.CreateCommand(LatestMigration);
                object? version = await command.ExecuteScalarAsync(cancellationToken);
                int expected = Storage.MigrationFiles.Read(Storage.MigrationFiles.Locate()).Max(m => m.Version);
                return Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture) >= expected
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
