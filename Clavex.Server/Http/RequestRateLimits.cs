using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.RateLimiting;

namespace Clavex.Server.Http;

/// <summary>
/// The protocol endpoints' request limits, through ASP.NET Core's rate limiter (<c>RequireRateLimiting</c>): per
/// organisation and client address (an IPv6 /64 counts as one), a sliding window of one minute whose size is the
/// organisation's <see cref="RequestLimits"/>. A request past it is answered <c>429</c> with <c>Retry-After</c> and an
/// RFC 6749 §5.2 body before any parsing, client authentication or database work.
/// <para>
/// Why the client address and not the client: the limiter runs before the client is authenticated, and a budget
/// keyed by a client id anyone can send would let anyone spend a relying party's budget, or escape the limit by
/// sending a new made-up id with every request. A relying party calls from its own host, so its address is its budget.
/// </para>
/// </summary>
public static class RequestRateLimits
{
    /// <summary>/token, /introspect and /revoke.</summary>
    public const string Token = "token";

    public const string UserInfo = "userinfo";

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>The window moves in steps of 10 s: a used permit comes back 60 s after its step.</summary>
    public const int SegmentsPerWindow = 6;

    /// <summary>What a refused request is told to wait: the step after which the oldest permits come back.</summary>
    public static readonly string RetryAfterSeconds = ((int)(Window.TotalSeconds / SegmentsPerWindow)).ToString(CultureInfo.InvariantCulture);

    public static IServiceCollection AddClavexRateLimits(this IServiceCollection services, Action<RateLimiterOptions>? more = null) =>
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(Token, new AddressRateLimitPolicy(Token, RequestLimits.TokenRequestsPerMinute, RefuseProtocolRequest));
            options.AddPolicy(UserInfo, new AddressRateLimitPolicy(UserInfo, RequestLimits.UserInfoRequestsPerMinute, RefuseProtocolRequest));
            more?.Invoke(options);
        });

    /// <summary>The sliding window of <paramref name="permitsPerMinute"/>; its permits come back by themselves.</summary>
    public static SlidingWindowRateLimiterOptions WindowOf(int permitsPerMinute) => new()
    {
        PermitLimit = permitsPerMinute,
        Window = Window,
        SegmentsPerWindow = SegmentsPerWindow,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static IResult RefuseProtocolRequest(HttpContext context) =>
        // RFC 6749 §4.1.2.1's temporarily_unavailable: the one registered code for "not now, try later".
        OAuthResults.Error(
            new OAuthError(OAuthErrorCode.TemporarilyUnavailable,
                $"Too many requests from this address; retry after {RetryAfterSeconds} seconds.", "rate limit"),
            statusCode: StatusCodes.Status429TooManyRequests);
}

/// <summary>A limiter's partition: the policy, the organisation's slug, the window's size (permits), and whose budget it is.</summary>
public readonly record struct RateLimitKey(string Policy, string Slug, int Permits, string Subject);

/// <summary>
/// One budget per organisation and client address, sized by one of the organisation's <see cref="RequestLimits"/>
/// (read from <see cref="OrganizationDirectory.Limits"/>: changed limits apply once the organisation is read again).
/// A refusal is audited as <c>request.rate_limited</c> at most once per budget and window, so a flood cannot fill
/// the audit log; ASP.NET Core's meter counts every one (<c>aspnetcore.rate_limiting.requests</c>).
/// </summary>
public sealed class AddressRateLimitPolicy(string name, RequestLimit limit, Func<HttpContext, IResult> refuse) : IRateLimiterPolicy<RateLimitKey>
{
    private static readonly Func<RateLimitKey, SlidingWindowRateLimiterOptions> s_window = key => RequestRateLimits.WindowOf(key.Permits);

    private readonly RateLimitAudit _audited = new();

    // The application's singleton, resolved on the first request: the policy is made before the container is.
    private OrganizationDirectory? _directory;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<RateLimitKey> GetPartition(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        string slug = httpContext.Request.RouteValues["org"] as string ?? string.Empty;
        OrganizationDirectory directory = _directory ??= httpContext.RequestServices.GetRequiredService<OrganizationDirectory>();
        int permits = directory.Limits(slug)[limit];
        var key = new RateLimitKey(name, slug, permits, ClientAddress.Key(httpContext.Connection.RemoteIpAddress));
        return RateLimitPartition.GetSlidingWindowLimiter(key, s_window);
    }

    private async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        HttpContext context = rejected.HttpContext;
        context.Response.Headers.RetryAfter = RequestRateLimits.RetryAfterSeconds;
        RateLimitKey key = GetPartition(context).PartitionKey;
        if (_audited.IsFirstInWindow(key))
        {
            Organization? organization = key.Slug.Length > 0 ? await _directory!.FindAsync(key.Slug, cancellationToken) : null;
            context.RequestServices.GetRequiredService<AuditLog>().Record(context, organization, "request.rate_limited", false, null, null,
                ("limit", limit.Name), ("per_minute", key.Permits.ToString(CultureInfo.InvariantCulture)),
                ("path", context.Request.Path.Value is { Length: <= 256 } path ? path : null),
                ("retry_after_seconds", RequestRateLimits.RetryAfterSeconds));
        }

        await refuse(context).ExecuteAsync(context);
    }
}

/// <summary>
/// Which refusals are audited: the first of each budget in each window, so a flood leaves one event a minute per
/// budget rather than one per request. Forgets everything when it tracks more than <see cref="MaxTracked"/> budgets.
/// </summary>
public sealed class RateLimitAudit
{
    public const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<RateLimitKey, long> _lastAudited = new();

    public bool IsFirstInWindow(RateLimitKey key)
    {
        long now = Environment.TickCount64;
        if (_lastAudited.TryGetValue(key, out long last) && now - last < RequestRateLimits.Window.TotalMilliseconds)
        {
            return false;
        }

        if (_lastAudited.Count >= MaxTracked)
        {
            _lastAudited.Clear();
        }

        _lastAudited[key] = now;
        return true;
    }
}
