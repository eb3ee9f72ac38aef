using Clavex.Server.Audit;

namespace Clavex.Server.Http;

/// <summary>
/// The last line of defence: an unexpected failure answers <c>server_error</c> with generic words and the correlation
/// id, never a stack trace. The exception itself goes to the log only. Two kinds are expected and logged without a
/// trace: bad input Kestrel or the form reader refused (not logged at all; the client got a 4xx), and a database
/// outage (one warning line, at most every <see cref="OutageLog.Interval"/>, saying how many more failed meanwhile),
/// so an outage under load does not bury the log. A request that failed in an outage is audited as
/// <c>request.unavailable</c>; the audit writer keeps it until PostgreSQL answers again.
/// </summary>
public static class ServerErrors
{
    /// <summary>What a 503 asks the caller to wait, in seconds.</summary>
    public const string RetryAfterSeconds = "5";

    /// <summary>Bad input or a database outage: answered here, and not a bug worth a stack trace in the log.</summary>
    public static bool IsExpected(Exception? exception) => IsBadInput(exception) || IsOutage(exception);

    private static bool IsBadInput(Exception? exception) => exception is BadHttpRequestException or InvalidDataException;

    // Transient failures, timeouts, and the server-side limits of PgDataSource: a lock not granted within
    // lock_timeout (55P03), a statement past statement_timeout (57014), a session ended by
    // idle_in_transaction_session_timeout (25P03). Each is "not now", not a bug.
    private static bool IsOutage(Exception? exception) =>
        exception is Npgsql.NpgsqlException { IsTransient: true } or TimeoutException
        || exception is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.LockNotAvailable or Npgsql.PostgresErrorCodes.QueryCanceled or "25P03" };

    public static async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Exception? exception = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        if (IsBadInput(exception))
        {
            // Bad input, not a server fault: an over-long body (Kestrel's limit) or form values past the reader's limits.
            int status = exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
            await OAuthResults.Error(Core.Protocol.OAuthError.InvalidRequest(
                status == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request could not be read."), statusCode: status).ExecuteAsync(context);
            return;
        }

        string correlation = CorrelationId.Get(context);
        context.Response.Headers[CorrelationId.HeaderName] = correlation;
        if (IsOutage(exception))
        {
            // The database is unreachable, full or too slow (Npgsql's timeouts end the wait): a temporary outage, said so.
            context.RequestServices.GetRequiredService<OutageLog>().Failed(context, exception!, correlation);
            context.RequestServices.GetRequiredService<AuditLog>().Record(context, context.FindOrganization(), "request.unavailable", false, null, null,
                ("reason", exception!.GetType().Name), ("path", context.Request.Path.Value is { Length: <= 256 } path ? path : null));
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            context.Response.Headers.CacheControl = "no-store";
            IResult unavailable = NotFound.WantsHtml(context)
                ? context.RequestServices.GetRequiredService<BrowserPages>().Error(
                    context, t => t.UnavailableTitle, t => t.Unavailable, StatusCodes.Status503ServiceUnavailable)
                : OAuthResults.Error(
                    new Core.Protocol.OAuthError(Core.Protocol.OAuthErrorCode.TemporarilyUnavailable,
                        "The server's database is not answering. Try again shortly; the Reference in X-Correlation-Id finds this request in the log.",
                        exception.GetType().Name),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            await unavailable.ExecuteAsync(context);
            return;
        }
        if (NotFound.WantsHtml(context))
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.Headers.CacheControl = "no-store";
            BrowserPages pages = context.RequestServices.GetRequiredService<BrowserPages>();
            await pages.Error(context, t => t.ServerErrorTitle, t => t.ServerError, StatusCodes.Status500InternalServerError)
                .ExecuteAsync(context);
            return;
        }

        await OAuthResults.Error(
            new Core.Protocol.OAuthError(Core.Protocol.OAuthErrorCode.ServerError, "The server could not complete the request.", exception?.GetType().Name),
            statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context);
    }
}
