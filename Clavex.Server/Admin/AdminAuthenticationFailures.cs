using System.Globalization;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Storage;

namespace Clavex.Server.Admin;

/// <summary>
/// Audits refused admin requests as <c>admin.authentication_failed</c> (reason <c>missing_token</c> or
/// <c>wrong_token</c>; never the token presented), under the organisation the path names when there is one.
/// <para>
/// Anyone can send these requests, and the audit queue blocks its writers when full, so they are recorded at a
/// bounded rate: at most <see cref="PerAddressPerMinute"/> a minute from one address (an IPv6 /64 counts as one),
/// and <see cref="TotalPerMinute"/> a minute in all. The failures not recorded are counted, and the next event
/// recorded for that address says how many in <c>detail.suppressed</c>; a warning is logged once a minute while
/// any are being suppressed. The 401 itself is answered either way.
/// </para>
/// </summary>
public sealed partial class AdminAuthenticationFailures(
    AuditLog audit, OrganizationDirectory organizations, TimeProvider timeProvider, ILogger<AdminAuthenticationFailures> logger)
{
    public const string EventType = "admin.authentication_failed";

    public const int PerAddressPerMinute = 10;

    public const int TotalPerMinute = 300;

    /// <summary>Addresses remembered at once; past this, windows that have ended are forgotten first.</summary>
    public const int MaxTrackedAddresses = 10_000;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, AddressWindow> _addresses = new(StringComparer.Ordinal);
    private DateTimeOffset _totalWindowStart = DateTimeOffset.MinValue;
    private int _totalRecorded;
    private bool _warned;

    /// <summary>Records the refusal, unless capped; <paramref name="reason"/> overrides the one read from the request's bearer header.</summary>
    public async Task RecordAsync(HttpContext context, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        long? suppressed = Admit(ClientAddress.Key(context.Connection.RemoteIpAddress), timeProvider.GetUtcNow());
        if (suppressed is null)
        {
            return;
        }

        reason ??= ProtocolRequest.ReadBearer(context.Request) is null ? "missing_token" : "wrong_token";
        Organization? organization = context.GetRouteValue("org") is string slug
            ? await organizations.FindAsync(slug, context.RequestAborted)
            : null;
        audit.Record(context, organization, EventType, false, null, null,
            ("reason", reason),
            ("path", context.Request.Path.Value is { Length: <= 256 } path ? path : null),
            ("suppressed", suppressed > 0 ? suppressed.Value.ToString(CultureInfo.InvariantCulture) : null));
    }

    /// <summary>
    /// Whether this failure is recorded: the number of failures of <paramref name="address"/> suppressed since its
    /// last recorded one (usually 0), or null when this one is suppressed too.
    /// </summary>
    internal long? Admit(string address, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (now - _totalWindowStart >= Window)
            {
                _totalWindowStart = now;
                _totalRecorded = 0;
                _warned = false;
            }

            if (!_addresses.TryGetValue(address, out AddressWindow? window))
            {
                if (_addresses.Count >= MaxTrackedAddresses)
                {
                    ForgetEnded(now);
                }

                window = new AddressWindow { Start = now };
                if (_addresses.Count < MaxTrackedAddresses)
                {
                    _addresses[address] = window;
                }
            }
            else if (now - window.Start >= Window)
            {
                window.Start = now;
                window.Recorded = 0;
            }

            if (window.Recorded < PerAddressPerMinute && _totalRecorded < TotalPerMinute)
            {
                window.Recorded++;
                _totalRecorded++;
                long suppressed = window.Suppressed;
                window.Suppressed = 0;
                return suppressed;
            }

            window.Suppressed++;
            if (!_warned)
            {
                _warned = true;
                LogSuppressing(logger, PerAddressPerMinute, TotalPerMinute);
            }

            return null;
        }
    }

    private void ForgetEnded(DateTimeOffset now)
    {
        long dropped = 0;
        foreach ((string key, AddressWindow window) in _addresses)
        {
            if (now - window.Start >= Window)
            {
                dropped += window.Suppressed;
                _addresses.Remove(key);
            }
        }

        if (dropped > 0)
        {
            LogForgotten(logger, dropped);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed admin authentications exceed {PerAddress} a minute from one address or {Total} in all; the excess is counted, not audited one by one")]
    private static partial void LogSuppressing(ILogger logger, int perAddress, int total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} suppressed admin authentication failures were never reported in an audit event: their addresses were forgotten to bound memory")]
    private static partial void LogForgotten(ILogger logger, long count);

    private sealed class AddressWindow
    {
        public DateTimeOffset Start { get; set; }

        public int Recorded { get; set; }

        public long Suppressed { get; set; }
    }
}
