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
        var codeGrant = new AuthorizationCodeGrant(stores.Codes, stores.Grants, stores.Users, stores.Keys, time);
        Token = new TokenEndpoint(
            ClientAuthenticator,
            codeGrant,
            new RefreshTokenGrant(stores.Grants, stores.Users, stores.Keys, time),
            new ClientCredentialsGrant(stores.Keys, time));
        AccessTokens = new AccessTokenValidator(stores.Keys, stores.Grants, time);
        UserInfo = new UserInfoEndpoint(AccessTokens, stores.Clients, stores.Users);
        Revocation = new RevocationEndpoint(ClientAuthenticator, AccessTokens, stores.Grants, time);
        Introspection = new IntrospectionEndpoint(ClientAuthenticator, AccessTokens, stores.Grants, time);
        TestSignIn = new TestSignIn(Authorization, CodeIssuer, codeGrant, UserInfo, stores.Grants, time);
    }

    public ClientAuthenticator ClientAuthenticator { get; }

    public AuthorizationRequestValidator Authorization { get; }

    public AuthorizationCodeIssuer CodeIssuer { get; }

    public TokenEndpoint Token { get; }

    /// <summary>The one check of Clavex access tokens, for every resource Clavex itself serves.</summary>
    public AccessTokenValidator AccessTokens { get; }

    public UserInfoEndpoint UserInfo { get; }

    public RevocationEndpoint Revocation { get; }

    public IntrospectionEndpoint Introspection { get; }

    /// <summary>A client's sign-in rehearsed for a chosen user (an admin's debugger); never reachable from a protocol endpoint.</summary>
    public TestSignIn TestSignIn { get; }
}
