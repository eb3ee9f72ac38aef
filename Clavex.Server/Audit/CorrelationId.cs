using System.Buffers.Binary;
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

        // 4 bytes of the current second, then 6 random ones: ids of one organisation sort by time, so the audit
        // log's correlation index grows at its end instead of at random pages (the soak of issue 16), and two
        // requests of one second collide with odds of 2^-48. Only the order matters, not the clock's accuracy.
        Span<byte> bytes = stackalloc byte[10];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(bytes[4..]);
        string id = Convert.ToHexStringLower(bytes);
        context.Items[ItemKey] = id;
        return id;
    }

    /// <summary>Gives <paramref name="to"/>, a request made in process on behalf of <paramref name="from"/>, the same id, so their audit events read as one request.</summary>
    public static void Share(HttpContext from, HttpContext to)
    {
        ArgumentNullException.ThrowIfNull(to);
        to.Items[ItemKey] = Get(from);
    }

    public static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ILogger logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Clavex.Request");
        return app.Use(async (context, next) =>
        {
            string id = Get(context);
            context.Response.Headers[HeaderName] = id;
            using (logger.BeginScope(new Scope(id)))
            {
                await next(context);
            }
        });
    }

    /// <summary>The log scope of a request: one pair, as structured loggers read scopes, with no dictionary per request.</summary>
    private sealed class Scope(string id) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public int Count => 1;

        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new("CorrelationId", id) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "CorrelationId:" + id;
    }
}
