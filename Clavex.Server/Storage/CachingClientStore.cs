using System.Collections.Concurrent;
using Clavex.Core.Clients;
using Clavex.Core.Stores;

namespace Clavex.Server.Storage;

/// <summary>
/// The protocol's view of clients: each client, with its secret hashes, is read from <see cref="PgClientStore"/> once
/// and then served from memory, so the token endpoint does not read the client from the database. Secrets are cached
/// with their expiry and judged against the clock at use, so an expired secret stops working without a reload.
/// Unknown client ids are not cached: anyone can send any number of them, and only registered clients may take memory.
/// Entries are dropped by <see cref="Invalidate"/> (the admin API on this instance, and <see cref="CacheChangeListener"/>
/// for changes made on any instance) and all at once by <see cref="Clear"/>. The admin API reads and writes
/// <see cref="PgClientStore"/> directly, never through this cache.
/// </summary>
public sealed class CachingClientStore(PgClientStore store) : IClientStore
{
    private readonly PgClientStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly ConcurrentDictionary<(long OrganizationId, string ClientId), Client> _cache = new();
    private readonly Lock _invalidation = new();
    private long _generation;

    public ValueTask<Client?> FindAsync(long organizationId, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        bool hit = _cache.TryGetValue((organizationId, clientId), out Client? client);
        ClavexMeter.CacheLookup("client", hit);
        return hit ? ValueTask.FromResult<Client?>(client) : LoadAsync(organizationId, clientId, cancellationToken);
    }

    internal bool IsCached(long organizationId, string clientId) => _cache.ContainsKey((organizationId, clientId));

    /// <summary>Drops the client; the next <see cref="FindAsync"/> reads it again.</summary>
    public void Invalidate(long organizationId, string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        lock (_invalidation)
        {
            _generation++;
            _cache.TryRemove((organizationId, clientId), out _);
        }
    }

    /// <summary>Drops every client, for when changes may have been missed.</summary>
    public void Clear()
    {
        lock (_invalidation)
        {
            _generation++;
            _cache.Clear();
        }
    }

    private async ValueTask<Client?> LoadAsync(long organizationId, string clientId, CancellationToken cancellationToken)
    {
        long generation = Volatile.Read(ref _generation);
        Client? client = await _store.FindAsync(organizationId, clientId, cancellationToken);
        if (client is null)
        {
            return null;
        }

        // An invalidation while this read ran may mean the row is already stale: use it once, cache nothing.
        lock (_invalidation)
        {
            if (generation == _generation)
            {
                _cache[(organizationId, clientId)] = client;
            }
        }

        return client;
    }
}
