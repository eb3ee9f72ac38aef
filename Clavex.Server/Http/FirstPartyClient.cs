using Clavex.Core.Clients;
using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Http;

/// <summary>
/// The OIDC clients of Clavex's own pages (the account page, the admin console): real client rows, made the first
/// time the page is opened in an organisation, so the sign-in policy, second factors and audit apply to them as to
/// any other client, and an admin sees them and can tighten or disable them.
/// </summary>
public static class FirstPartyClient
{
    /// <summary>The organisation's client <paramref name="wanted"/> names, made as <paramref name="wanted"/> when it has none.</summary>
    public static async Task<Client> EnsureAsync(CachingClientStore clients, PgClientStore store, Client wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(wanted);
        if (await clients.FindAsync(wanted.OrganizationId, wanted.ClientId, cancellationToken) is Client existing)
        {
            return existing;
        }

        try
        {
            await store.CreateAsync(wanted, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another request made it a moment ago.
        }

        clients.Invalidate(wanted.OrganizationId, wanted.ClientId);
        return await clients.FindAsync(wanted.OrganizationId, wanted.ClientId, cancellationToken) ?? wanted;
    }
}
