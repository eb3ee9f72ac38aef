using Clavex.Core;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Token;
using Clavex.Core.Users;

namespace Clavex.Tests.Embedding;

/// <summary>The README's "Embedding Clavex.Core" example, compiled and run: keep the two in step.</summary>
public class EmbeddingExampleTests
{
    [Test]
    public async Task The_readme_example_signs_alice_in()
    {
        TokenResponse tokens = await ReadmeExample.RunAsync();

        Assert.That(tokens.IdToken, Is.Not.Null);
        Assert.That(Token.TokenTestSupport.Payload(tokens.IdToken!).GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));
        Assert.That(tokens.Scope, Is.EqualTo("openid profile groups"));
    }

    private static class ReadmeExample
    {
        public static async Task<TokenResponse> RunAsync()
        {
            // README:begin
            var org = new Organization(1, "acme", "https://id.acme.eu/acme");
            var clients = new InMemoryClientStore();
            var users = new InMemoryUserStore();
            var grants = new InMemoryGrantStore();
            var keys = new InMemorySigningKeyStore();
            var key = RsaJwsKey.Generate();
            keys.Set(org.Id, new SigningKeys(key, [key]));
            var provider = new OpenIdProvider(new ProviderStores(
                clients, users, new InMemoryAuthorizationCodeStore(grants), grants, keys, new InMemoryReplayCache(TimeProvider.System)));

            string secret = ClientSecrets.Generate();
            const string Callback = "https://jira.acme.eu/plugins/servlet/oidc/callback";
            clients.Add(new Client
            {
                OrganizationId = org.Id, ClientId = "atlassian", RedirectUris = [Callback], Scopes = ["openid", "profile", "groups"],
                Secrets = [new ClientSecret("s1", ClientSecrets.Hash(secret), DateTimeOffset.UtcNow)],
            });
            users.Add(new User { OrganizationId = org.Id, Subject = "u_1", Username = "alice", Groups = ["jira-software-users"] });

            // GET /authorize: validate, sign the user in your way, issue the code, redirect.
            var validation = await provider.Authorization.ValidateAsync(org, ProtocolParameters.From(
                ("response_type", "code"), ("client_id", "atlassian"), ("redirect_uri", Callback), ("scope", "openid profile groups"), ("state", "xyz")), default);
            var session = new AuthenticationSession
            {
                OrganizationId = org.Id, Id = "sid-1", Subject = "u_1", AuthTime = DateTimeOffset.UtcNow, Amr = ["pwd"], ExpiresAt = DateTimeOffset.UtcNow.AddHours(8),
            };
            var redirect = await provider.CodeIssuer.IssueAsync(validation.Request!, session, default);   // redirect.ToQueryRedirectUrl()

            // POST /token, as the relying party does with the code it received.
            TokenResult result = await provider.Token.HandleAsync(org, ProtocolParameters.From(
                ("grant_type", "authorization_code"), ("code", redirect.Parameters[0].Value), ("redirect_uri", Callback)), new BasicCredentials("atlassian", secret), default);
            // README:end
            return result.Response!;
        }
    }
}
