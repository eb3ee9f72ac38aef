namespace Clavex.Core.Stores.InMemory;

/// <summary>
/// Single-use values held in memory until they expire. Expired entries are swept whenever the cache has doubled
/// since the last sweep, so memory stays proportional to the values still live and each add costs O(1) amortised.
/// </summary>
public sealed class InMemoryReplayCache(TimeProvider timeProvider) : IReplayCache
{
    private const int MinimumSweepSize = 64;

    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    private readonly Lock _lock = new();
    private readonly Dictionary<(long OrganizationId, string Key), DateTimeOffset> _entries = [];
    private int _sweepAt = MinimumSweepSize;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public ValueTask<bool> TryAddAsync(long organizationId, string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            var entryKey = (organizationId, key);
            if (_entries.TryGetValue(entryKey, out DateTimeOffset recordedUntil) && now < recordedUntil)
            {
                return ValueTask.FromResult(false);
            }

            _entries[entryKey] = expiresAt;
            if (_entries.Count >= _sweepAt)
            {
                Sweep(now);
                _sweepAt = Math.Max(MinimumSweepSize, _entries.Count * 2);
            }

            return ValueTask.FromResult(true);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (KeyValuePair<(long OrganizationId, string Key), DateTimeOffset> entry in _entries)
        {
            if (now >= entry.Value)
            {
                _entries.Remove(entry.Key);
            }
        }
    }
}
