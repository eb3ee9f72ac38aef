using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Token;
using Clavex.Core.UserInfo;
using Clavex.Core.Users;

namespace Clavex.Tests.Support;

/// <summary>
/// The protocol core wired to in-memory stores, with the organisation, client and user of the admin guide:
/// organisation <c>acme</c>, client <c>atlassian</c> (client_secret_post, two Atlassian callbacks) and user alice.
/// </summary>
internal sealed class ProtocolFixture
{
    public const string Issuer = "https://id.acme.eu/acme";
    public const string JiraCallback = "https://jira.acme.eu/plugins/servlet/oidc/callback";
    public const string ConfluenceCallback = "https://confluence.acme.eu/plugins/servlet/oidc/callback";
    public const string AliceSubject = "u_alice_0001";

    private static readonly Lazy<JwsKey> s_signingKey = new(() => RsaJwsKey.Generate());

    public ProtocolFixture()
    {
        Clock = new TestClock();
        Organization = new Organization(1, "acme", Issuer);
        Grants = new InMemoryGrantStore();
        Replay = new InMemoryReplayCache(Clock);
        Codes = new InMemoryAuthorizationCodeStore(Grants);
        Keys.Set(Organization.Id, new SigningKeys(SigningKey, [SigningKey]));
        AtlassianSecret = ClientSecrets.Generate();
        Clients.Add(Atlassian(AtlassianSecret));
        Users.Add(Alice());
        Validator = new AuthorizationRequestValidator(Clients);
        CodeIssuer = new AuthorizationCodeIssuer(Codes, Clock);
        Authenticator = new ClientAuthenticator(Clients, Replay, Clock);
        TokenEndpoint = new TokenEndpoint(
            Authenticator,
            new AuthorizationCodeGrant(Codes, Grants, Users, Keys, Clock),
            new RefreshTokenGrant(Grants, Users, Keys, Clock),
            new ClientCredentialsGrant(Keys, Clock));
        AccessTokens = new AccessTokenValidator(Keys, Grants, Clock);
        UserInfo = new UserInfoEndpoint(AccessTokens, Clients, Users);
    }

    public static JwsKey SigningKey => s_signingKey.Value;

    public TestClock Clock { get; }

    public Organization Organization { get; }

    public InMemoryClientStore Clients { get; } = new();

    public InMemoryUserStore Users { get; } = new();

    public InMemoryGrantStore Grants { get; }

    public InMemoryAuthorizationCodeStore Codes { get; }

    public InMemorySigningKeyStore Keys { get; } = new();

    public InMemoryReplayCache Replay { get; }

    public string AtlassianSecret { get; }

    public AuthorizationRequestValidator Validator { get; }

    public AuthorizationCodeIssuer CodeIssuer { get; }

    public ClientAuthenticator Authenticator { get; }

    public TokenEndpoint TokenEndpoint { get; }

    public AccessTokenValidator AccessTokens { get; }

    public UserInfoEndpoint UserInfo { get; }

    /// <summary>The client exactly as the admin guide registers it.</summary>
    public Client Atlassian(string secret) => new()
    {
        OrganizationId = Organization.Id,
        ClientId = "atlassian",
        ClientName = "Jira + Confluence",
        GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
        RedirectUris = [JiraCallback, ConfluenceCallback],
        Scopes = ["openid", "profile", "email", "groups"],
        TokenEndpointAuthMethod = TokenEndpointAuthMethod.ClientSecretPost,
        Secrets = [new ClientSecret("s1", ClientSecrets.Hash(secret), Clock.GetUtcNow())],
    };

    public User Alice() => new()
    {
        OrganizationId = Organization.Id,
        Subject = AliceSubject,
        Username = "alice",
        Name = "Alice Andersson",
        GivenName = "Alice",
        FamilyName = "Andersson",
        Email = "alice@acme.eu",
        EmailVerified = true,
        Groups = ["jira-administrators", "jira-software-users", "confluence-users"],
    };

    public AuthenticationSession SessionFor(string subject, TimeSpan? age = null) => new()
    {
        OrganizationId = Organization.Id,
        Id = "sid-" + subject,
        Subject = subject,
        AuthTime = Clock.GetUtcNow() - (age ?? TimeSpan.Zero),
        Amr = ["pwd"],
        ExpiresAt = Clock.GetUtcNow() + TimeSpan.FromHours(8),
    };

    public static ProtocolParameters Parameters(params (string Name, string Value)[] pairs) => ProtocolParameters.From(pairs);

    /// <summary>Jira's built-in SSO request: code flow, state and nonce, no PKCE.</summary>
    public static List<(string, string)> JiraAuthorizeRequest() =>
    [
        ("response_type", "code"),
        ("client_id", "atlassian"),
        ("redirect_uri", JiraCallback),
        ("scope", "openid profile email groups"),
        ("state", "af0ifjsldkj"),
        ("nonce", "n-0S6_WzA2Mj"),
    ];

    public Task<AuthorizationValidation> ValidateAsync(IEnumerable<(string, string)> pairs) =>
        Validator.ValidateAsync(Organization, ProtocolParameters.From([.. pairs]), CancellationToken.None);

    /// <summary>Runs authorize for alice with a fresh session and returns the code from the redirect.</summary>
    public async Task<string> AuthorizeAliceAsync(IEnumerable<(string, string)> pairs)
    {
        AuthorizationValidation validation = await ValidateAsync(pairs);
        Assert.That(validation.Request, Is.Not.Null, () => validation.Redirect?.Error?.ToString() ?? validation.Rejection?.Message ?? string.Empty);
        AuthorizationResponse response = await CodeIssuer.IssueAsync(validation.Request!, SessionFor(AliceSubject), CancellationToken.None);
        return response.Parameters.Single(p => p.Key == "code").Value!;
    }

    public Task<TokenResult> TokenAsync(params (string Name, string Value)[] form) => TokenAsync(null, form);

    public Task<TokenResult> TokenAsync(BasicCredentials? basic, params (string Name, string Value)[] form) =>
        TokenEndpoint.HandleAsync(Organization, ProtocolParameters.From(form), basic, CancellationToken.None);

    public Task<TokenResult> RedeemAsync(string code, string redirectUri = JiraCallback, params (string Name, string Value)[] extra) =>
        TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectUri), ("client_id", "atlassian"), ("client_secret", AtlassianSecret), .. extra]);
}
