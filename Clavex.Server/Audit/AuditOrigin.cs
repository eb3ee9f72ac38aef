
namespace Clavex.Server.Audit;

/// <summary>Where a request came from, as an audit event records it; taken while the request is live.</summary>
public sealed record AuditOrigin(string? Ip, string? UserAgent, string? CorrelationId)
{
    public static AuditOrigin Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new AuditOrigin(
            context.Connection.RemoteIpAddress?.ToString(),
            Truncate(context.Request.Headers.UserAgent.ToString(), 512),
            Audit.CorrelationId.Get(context));
    }

    private static string? Truncate(string? value, int length) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= length ? value : value[..length];
}
