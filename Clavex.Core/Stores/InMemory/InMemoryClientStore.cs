using Clavex.Core.Clients;

namespace Clavex.Core.Stores.InMemory;

/// <summary>Clients held in memory, for embedders and tests. Each client belongs to its <see cref="Client.OrganizationId"/>.</summary>
public sealed class InMemoryClientStore : IClientStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(long OrganizationId, string ClientId), Client> _clients = [];

    /// <summary>Registers a client; a second client with the same id in the same organisation is a bug and throws.</summary>
    public void Add(Client client)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_lock)
        {
            if (!_clients.TryAdd((client.OrganizationId, client.ClientId), client))
            {
                throw new InvalidOperationException($"Organisation {client.OrganizationId} already has a client '{client.ClientId}'.");
            }
        }
    }

    /// <summary>Replaces a registered client (new secrets, disabled, …); replacing one that was never added throws.</summary>
    public void Replace(Client client)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_lock)
        {
            var key = (client.OrganizationId, client.ClientId);
            if (!_clients.ContainsKey(key))
            {
                throw new InvalidOperationException($"Organisation {client.OrganizationId} has no client '{client.ClientId}' to replace.");
            }

            _clients[key] = client;
        }
    }

    public ValueTask<Client?> FindAsync(long organizationId, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        lock (_lock)
        {
            return ValueTask.FromResult(_clients.GetValueOrDefault((organizationId, clientId)));
        }
    }
}
