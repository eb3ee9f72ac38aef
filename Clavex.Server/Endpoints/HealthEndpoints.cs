using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Endpoints;

/// <summary><c>/healthz</c>: the process is up. <c>/readyz</c>: the database answers and the schema is migrated.</summary>
public static class HealthEndpoints
{
    /// <summary>How long <c>/readyz</c> waits for the database before it says not ready.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (PgHealth health, CancellationToken requestAborted) =>
        {
            // A probe waits about a second: a database that is slower than this is as good as down to a load balancer.
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            budget.CancelAfter(ReadyTimeout);
            try
            {
                return await health.IsMigratedAsync(budget.Token)
                    ? Results.Text("ready")
                    : Results.Text("migrations pending", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException || (e is OperationCanceledException && !requestAborted.IsCancellationRequested))
            {
                return Results.Text("database unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return app;
    }
}
