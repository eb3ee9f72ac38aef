using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Storage;

namespace Clavex.Server.Admin;

/// <summary>
/// The admin API's request limit: per token, once it is authenticated (so only real tokens get a budget, and a flood
/// of made-up ones cannot grow the limiter), a sliding window of one minute sized by the organisation's
/// <see cref="RequestLimits.AdminRequestsPerMinute"/> on its routes and by the default elsewhere. A request past it is
/// <c>429 too_many_requests</c> with <c>Retry-After</c>, audited once per token and window as
/// <c>request.rate_limited</c>. The budget is keyed by a hash of the token, never the token itself.
/// </summary>
public sealed class AdminRequestLimits(AuditLog audit, OrganizationDirectory organizations) : IDisposable
{
    private readonly PartitionedRateLimiter<RateLimitKey> _limiter = PartitionedRateLimiter.Create<RateLimitKey, RateLimitKey>(
        key => RateLimitPartition.GetSlidingWindowLimiter(key, k => RequestRateLimits.WindowOf(k.Permits)));

    private readonly RateLimitAudit _audited = new();

    /// <summary>Null when the authenticated request may go on, else the refusal.</summary>
    public async ValueTask<IResult?> AdmitAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string slug = context.Request.RouteValues["org"] as string ?? string.Empty;
        int permits = organizations.Limits(slug)[RequestLimits.AdminRequestsPerMinute];
        var key = new RateLimitKey("admin", slug, permits, TokenKey(ProtocolRequest.ReadBearer(context.Request)));
        using RateLimitLease lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        context.Response.Headers.RetryAfter = RequestRateLimits.RetryAfterSeconds;
        if (_audited.IsFirstInWindow(key))
        {
            Organization? organization = slug.Length > 0 ? await organizations.FindAsync(slug, context.RequestAborted) : null;
            audit.Record(context, organization, "request.rate_limited", false, null, AdminAuthentication.ActorOf(context),
                ("limit", RequestLimits.AdminRequestsPerMinute.Name), ("per_minute", permits.ToString(CultureInfo.InvariantCulture)),
                ("path", context.Request.Path.Value is { Length: <= 256 } path ? path : null),
                ("retry_after_seconds", RequestRateLimits.RetryAfterSeconds));
        }

        return AdminResults.Error(new AdminError("too_many_requests",
            $"This token made more than {permits} admin API requests in a minute (the organisation's {RequestLimits.AdminRequestsPerMinute.Name}); "
            + $"retry after {RequestRateLimits.RetryAfterSeconds} seconds.",
            StatusCodes.Status429TooManyRequests));
    }

    public void Dispose() => _limiter.Dispose();

    private static string TokenKey(string? token) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token ?? string.Empty)).AsSpan(0, 16));
}
