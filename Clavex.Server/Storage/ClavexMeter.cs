using System.Diagnostics.Metrics;

namespace Clavex.Server.Storage;

/// <summary>
/// Clavex's own instruments (<c>System.Diagnostics.Metrics</c>, meter <see cref="Name"/>), exported at <c>/metrics</c>
/// with ASP.NET Core's request durations and Npgsql's command metrics (docs/operations.md lists them). Tags carry
/// organisation slugs, client ids, event types and reasons, never a subject, a token or a secret.
/// </summary>
public static class ClavexMeter
{
    public const string Name = "Clavex";

    public static readonly Meter Meter = new(Name);

    /// <summary><c>clavex.cache.lookups</c>: lookups of the in-memory caches, by <c>cache</c> and <c>result</c> (hit or miss).</summary>
    public static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>("clavex.cache.lookups", "{lookup}", "Lookups of Clavex's in-memory caches.");

    private static readonly KeyValuePair<string, object?> s_hit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> s_miss = new("result", "miss");

    public static void CacheLookup(string cache, bool hit) => CacheLookups.Add(1, new KeyValuePair<string, object?>("cache", cache), hit ? s_hit : s_miss);
}
