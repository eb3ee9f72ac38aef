using Clavex.Core;
using Clavex.Core.Clients;
using Clavex.Core.Pkce;
using Clavex.Core.Protocol;
using Clavex.Core.Token;
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
    /// <summary>
    /// The authorization request such a page sends the browser through: code, PKCE S256, a fresh state and verifier
    /// (the page keeps both in a cookie of its own for its callback), and <c>prompt=login</c> to sign in again.
    /// </summary>
    public static (string Location, string State, string Verifier) SignInRequest(
        Organization organization, string clientId, string redirectUri, string scope, bool reauthenticate = false)
    {
        ArgumentNullException.ThrowIfNull(organization);
        string state = OpaqueToken.New(OpaqueToken.IdentifierBytes);
        string verifier = OpaqueToken.New(OpaqueToken.SecretBytes);
        QueryString query = new QueryString()
            .Add(ParameterNames.ResponseType, "code")
            .Add(ParameterNames.ClientId, clientId)
            .Add(ParameterNames.RedirectUri, redirectUri)
            .Add(ParameterNames.Scope, scope)
            .Add(ParameterNames.State, state)
            .Add(ParameterNames.CodeChallenge, CodeChallenge.CreateS256(verifier))
            .Add(ParameterNames.CodeChallengeMethod, CodeChallenge.MethodS256);
        if (reauthenticate)
        {
            query = query.Add(ParameterNames.Prompt, "login");
        }

        return ("/" + organization.Slug + "/authorize" + query.ToUriComponent(), state, verifier);
    }

    /// <summary>The callback's code, redeemed like any client's, with the PKCE verifier only this browser holds.</summary>
    public static Task<TokenResult> RedeemAsync(
        OpenIdProvider provider, Organization organization, string clientId, string redirectUri, string code, string verifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var form = new ProtocolParameters(
        [
            new(ParameterNames.GrantType, GrantTypes.AuthorizationCode), new(ParameterNames.Code, code), new(ParameterNames.RedirectUri, redirectUri),
            new(ParameterNames.ClientId, clientId), new(ParameterNames.CodeVerifier, verifier),
        ]);
        return provider.Token.HandleAsync(organization, form, null, cancellationToken);
    }

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
