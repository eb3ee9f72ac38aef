using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Clavex.Server.Storage;

namespace Clavex.Server.Audit;

/// <summary>
/// Counts what the audit log records, so <c>/metrics</c> and the audit log cannot disagree: every event by
/// organisation, type and outcome; tokens issued by organisation, grant and client; password sign-ins by organisation,
/// outcome and reason. The depth of the audit queue is a gauge: if it grows, the database is not keeping up.
/// Instruments are created once per process (a meter's instrument names are unique); each <see cref="AuditLog"/>
/// registers its queue for the gauge.
/// </summary>
internal static class AuditMetrics
{
    private static readonly Counter<long> s_events =
        ClavexMeter.Meter.CreateCounter<long>("clavex.audit.events", "{event}", "Audit events recorded, by organisation, event type and outcome.");

    private static readonly Counter<long> s_tokens =
        ClavexMeter.Meter.CreateCounter<long>("clavex.tokens.issued", "{token_response}", "Successful token responses, by organisation, grant type and client.");

    private static readonly Counter<long> s_logins =
        ClavexMeter.Meter.CreateCounter<long>("clavex.logins", "{attempt}", "Password sign-ins, by organisation, outcome and failure reason.");

    private static readonly Counter<long> s_unqueued =
        ClavexMeter.Meter.CreateCounter<long>("clavex.audit.unqueued", "{event}", "Audit events that found the queue full and are in the log only, not in PostgreSQL.");

    private static readonly List<WeakReference<ChannelReader<AuditEvent>>> s_queues = [];

    public static void Unqueued() => s_unqueued.Add(1);

    static AuditMetrics() =>
        ClavexMeter.Meter.CreateObservableGauge("clavex.audit.queue.depth", QueueDepth, "{event}", "Audit events waiting to be written to PostgreSQL.");

    public static void Register(ChannelReader<AuditEvent> queue)
    {
        lock (s_queues)
        {
            s_queues.RemoveAll(q => !q.TryGetTarget(out _));
            s_queues.Add(new WeakReference<ChannelReader<AuditEvent>>(queue));
        }
    }

    public static void Observe(string? organization, string eventType, bool success, string? clientId, IReadOnlyDictionary<string, string?> detail)
    {
        var org = new KeyValuePair<string, object?>("organization", organization);
        var outcome = new KeyValuePair<string, object?>("outcome", success ? "success" : "failure");
        s_events.Add(1, org, new KeyValuePair<string, object?>("event", eventType), outcome);
        switch (eventType)
        {
            case "token.issued":
                s_tokens.Add(1, org, new KeyValuePair<string, object?>("grant_type", detail.GetValueOrDefault("grant_type")), new KeyValuePair<string, object?>("client_id", clientId));
                break;
            case "login.succeeded":
            case "login.failed":
                s_logins.Add(1, org, outcome, new KeyValuePair<string, object?>("reason", detail.GetValueOrDefault("reason") ?? "none"));
                break;
        }
    }

    private static int QueueDepth()
    {
        int depth = 0;
        lock (s_queues)
        {
            foreach (WeakReference<ChannelReader<AuditEvent>> queue in s_queues)
            {
                if (queue.TryGetTarget(out ChannelReader<AuditEvent>? reader))
                {
                    depth += reader.Count;
                }
            }
        }

        return depth;
    }
}
