using Clavex.Core.Clients;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clavex.Tests.Interop;

/// <summary>Registers a relying party listening on 127.0.0.1:<c>port</c>, the way an administrator would.</summary>
internal static class InteropClients
{
    public static async Task<RegisteredClient> RegisterAsync(
        ClavexTestServer server, TestOrganization org, string clientId, int port, TokenEndpointAuthMethod method,
        string callbackPath = "/signin-oidc", string signedOutPath = "/signout-callback-oidc")
    {
        string secret = ClientSecrets.Generate();
        var client = new Client
        {
            OrganizationId = org.Id,
            ClientId = clientId,
            ClientName = "Interop " + clientId,
            RedirectUris = [$"http://127.0.0.1:{port}{callbackPath}"],
            PostLogoutRedirectUris = [$"http://127.0.0.1:{port}{signedOutPath}"],
            Scopes = ["openid", "profile", "email", "groups", "offline_access"],
            GrantTypes = ["authorization_code", "refresh_token"],
            TokenEndpointAuthMethod = method,
            Secrets = [new ClientSecret("s_" + clientId, ClientSecrets.Hash(secret), server.Clock.GetUtcNow())],
        };
        await server.Services.GetRequiredService<PgClientStore>().CreateAsync(client, CancellationToken.None);
        return new RegisteredClient(clientId, secret, client.RedirectUris[0], client.PostLogoutRedirectUris[0]);
    }
}

internal sealed record RegisteredClient(string ClientId, string Secret, string RedirectUri, string PostLogoutRedirectUri);
