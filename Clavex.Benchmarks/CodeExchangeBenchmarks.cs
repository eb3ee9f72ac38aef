using System.Text;
using BenchmarkDotNet.Attributes;
using Clavex.Core;
using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Pkce;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Token;
using Clavex.Core.Users;

namespace Clavex.Benchmarks;

/// <summary>
/// A whole sign-in of Jira through Clavex.Core on its in-memory stores, as an embedding host runs it: the
/// authorization request validated and its code issued for a signed-in session, then the token request
/// (client_secret_basic, PKCE S256) answered with an RS256 ID token and access token carrying profile, email and
/// three groups. No HTTP, no database: what the protocol logic and the signing cost, and what they allocate.
/// <see cref="ResponseBytes"/> is the size of the two tokens, which any implementation must allocate.
/// </summary>
[MemoryDiagnoser]
public class CodeExchangeBenchmarks
{
    private const string Callback = "https://jira.acme.eu/plugins/servlet/oidc/callback";
    private const string Verifier = "dBjftJeZ4CVP-mJ92K1rWzyBkG5RYqrOTN6cUmW8Rfo";

    // RFC 7636 §4.2 S256, computed here rather than copied, so the pair cannot disagree.
    private static readonly string Challenge = CodeChallenge.CreateS256(Verifier);

    private readonly Organization _organization = new(1, "acme", "https://id.acme.eu/acme");
    private OpenIdProvider _provider = null!;
    private ProtocolParameters _authorize = null!;
    private AuthenticationSession _session = null!;
    private BasicCredentials _credentials = null!;

    /// <summary>UTF-16 bytes of the ID token and access token of one exchange: the part of the allocations that is the answer.</summary>
    public static int ResponseBytes { get; private set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var clients = new InMemoryClientStore();
        var users = new InMemoryUserStore();
        var grants = new InMemoryGrantStore();
        var keys = new InMemorySigningKeyStore();
        RsaJwsKey key = RsaJwsKey.Generate();
        keys.Set(_organization.Id, new SigningKeys(key, [key]));
        _provider = new OpenIdProvider(new ProviderStores(
            clients, users, new InMemoryAuthorizationCodeStore(grants), grants, keys, new InMemoryReplayCache(TimeProvider.System)));

        string secret = ClientSecrets.Generate();
        clients.Add(new Client
        {
            OrganizationId = _organization.Id, ClientId = "atlassian", RedirectUris = [Callback], Scopes = ["openid", "profile", "email", "groups"],
            Secrets = [new ClientSecret("s1", ClientSecrets.Hash(secret), DateTimeOffset.UtcNow)],
        });
        users.Add(new User
        {
            OrganizationId = _organization.Id, Subject = "u_01JD7Z3K9Q4W8E2R6T", Username = "alice", Name = "Alice Andersson", GivenName = "Alice",
            FamilyName = "Andersson", Email = "alice@acme.eu", EmailVerified = true,
            Groups = ["jira-administrators", "jira-software-users", "confluence-users"],
        });
        _authorize = ProtocolParameters.From(
            ("response_type", "code"), ("client_id", "atlassian"), ("redirect_uri", Callback), ("scope", "openid profile email groups"),
            ("state", "af0ifjsldkj"), ("nonce", "n-0S6_WzA2Mj"), ("code_challenge", Challenge), ("code_challenge_method", "S256"));
        _session = new AuthenticationSession
        {
            OrganizationId = _organization.Id, Id = "sid-1", Subject = "u_01JD7Z3K9Q4W8E2R6T", AuthTime = DateTimeOffset.UtcNow, Amr = ["pwd"],
            ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
        };
        _credentials = new BasicCredentials("atlassian", secret);

        TokenResponse response = await ExchangeAsync();
        if (response.IdToken is null || !response.IdToken.StartsWith("eyJ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The exchange did not issue an ID token.");
        }

        ResponseBytes = Encoding.Unicode.GetByteCount(response.IdToken) + Encoding.Unicode.GetByteCount(response.AccessToken);
        Console.WriteLine($"// One exchange answers {ResponseBytes} bytes of tokens (UTF-16).");
    }

    [Benchmark]
    public async Task<TokenResponse> CodeExchange() => await ExchangeAsync();

    private async Task<TokenResponse> ExchangeAsync()
    {
        AuthorizationValidation validation = await _provider.Authorization.ValidateAsync(_organization, _authorize, CancellationToken.None);
        AuthorizationResponse redirect = await _provider.CodeIssuer.IssueAsync(validation.Request!, _session, CancellationToken.None);
        TokenResult result = await _provider.Token.HandleAsync(_organization, ProtocolParameters.From(
            ("grant_type", "authorization_code"), ("code", redirect.Parameters[0].Value), ("redirect_uri", Callback), ("code_verifier", Verifier)),
            _credentials, CancellationToken.None);
        return result.Response ?? throw new InvalidOperationException($"The token request failed: {result.Error}");
    }
}
