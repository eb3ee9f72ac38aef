namespace Clavex.Core.Stores.InMemory;

/// <summary>Each organisation's signing keys, set by the embedder or test.</summary>
public sealed class InMemorySigningKeyStore : ISigningKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, SigningKeys> _keys = [];

    /// <summary>Sets (or, for a rotation, replaces) the organisation's keys.</summary>
    public void Set(long organizationId, SigningKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_lock)
        {
            _keys[organizationId] = keys;
        }
    }

    /// <summary>The organisation's keys. An organisation without keys cannot issue tokens: a set-up bug, so it throws.</summary>
    public ValueTask<SigningKeys> GetAsync(long organizationId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _keys.TryGetValue(organizationId, out SigningKeys? keys)
                ? ValueTask.FromResult(keys)
                : throw new InvalidOperationException($"Organisation {organizationId} has no signing keys.");
        }
    }
}
