using System.Security.Cryptography;

namespace Clavex.Server.Audit;

/// <summary>
/// A per-request id in the <c>X-Correlation-Id</c> response header, the log scope and every audit event, so an admin
/// can go from what a user saw to what the server decided.
/// </summary>
public static class CorrelationId
{
    public const string HeaderName = "X-Correlation-Id";
    private const string ItemKey = "clavex.correlation";

    public static string Get(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[ItemKey] is string existing)
        {
            return existing;
        }

        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        context.Items[ItemKey] = id;
        return id;
    }

    public static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            string id = Get(context);
            context.Response.Headers[HeaderName] = id;
            ILogger logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Clavex.Request");
            using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
            {
                await next(context);
            }
        });
}
