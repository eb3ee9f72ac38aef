using Clavex.Core.Clients;

namespace Clavex.Core.Stores;

public interface IClientStore
{
    /// <summary>The client, or null when the organisation has none with that id. Disabled clients are returned.</summary>
    ValueTask<Client?> FindAsync(long organizationId, string clientId, CancellationToken cancellationToken);
}
