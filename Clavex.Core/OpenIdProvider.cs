using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.UserInfo;

namespace Clavex.Core;

/// <summary>The stores the protocol runs on. Implement them over your database, or use <c>Stores.InMemory</c>.</summary>
public sealed record ProviderStores(
    IClientStore Clients,
    IUserStore Users,
    IAuthorizationCodeStore Codes,
    IGrantStore Grants,
    ISigningKeyStore Keys,
    IReplayCache Replay);

/// <summary>
/// The protocol core wired together: one instance serves every organisation, because each call names its
/// <see cref="Protocol.Organization"/>. Hosts map HTTP to these endpoints and nothing else.
/// </summary>
public sealed class OpenIdProvider
{
    public OpenIdProvider(ProviderStores stores, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(stores);
        TimeProvider time = timeProvider ?? TimeProvider.System;
        ClientAuthenticator = new ClientAuthenticator(stores.Clients, stores.Replay, time);
        Authorization = new AuthorizationRequestValidator(stores.Clients);
        CodeIssuer = new AuthorizationCodeIssuer(stores.Codes, time);
        Token = new TokenEndpoint(
            ClientAuthenticator,
            new AuthorizationCodeGrant(stores.Codes, stores.Grants, stores.Users, stores.Keys, time),
            new RefreshTokenGrant(stores.Grants, stores.Users, stores.Keys, time),
            new ClientCredentialsGrant(stores.Keys, time));
        UserInfo = new UserInfoEndpoint(stores.Clients, stores.Grants, stores.Users, stores.Keys, time);
        Revocation = new RevocationEndpoint(ClientAuthenticator, stores.Grants, stores.Keys, time);
        Introspection = new IntrospectionEndpoint(ClientAuthenticator, stores.Grants, stores.Keys, time);
    }

    public ClientAuthenticator ClientAuthenticator { get; }

    public AuthorizationRequestValidator Authorization { get; }

    public AuthorizationCodeIssuer CodeIssuer { get; }

    public TokenEndpoint Token { get; }

    public UserInfoEndpoint UserInfo { get; }

    public RevocationEndpoint Revocation { get; }

    public IntrospectionEndpoint Introspection { get; }
}
