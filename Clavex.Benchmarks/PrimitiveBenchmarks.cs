using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Pkce;
using Clavex.Core.Protocol;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Users;

namespace Clavex.Benchmarks;

/// <summary>
/// The small steps of every token request, apart: PKCE S256 verification, and client_secret_basic authentication
/// against a client with two secrets (what a rotation leaves). <see cref="ClaimWritingBenchmarks"/> has the claims.
/// </summary>
[MemoryDiagnoser]
public class PrimitiveBenchmarks
{
    private const string Verifier = "dBjftJeZ4CVP-mJ92K1rWzyBkG5RYqrOTN6cUmW8Rfo";
    // Computed from the verifier, so the benchmark times a verification that succeeds (a copied pair did not).
    private static readonly string Challenge = CodeChallenge.CreateS256(Verifier);

    private ClientAuthenticator _authenticator = null!;
    private Organization _organization = null!;
    private ProtocolParameters _form = null!;
    private BasicCredentials _basic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _organization = new Organization(1, "acme", "https://id.acme.eu/acme");
        string secret = ClientSecrets.Generate();
        var clients = new InMemoryClientStore();
        clients.Add(new Client
        {
            OrganizationId = 1,
            ClientId = "atlassian",
            Secrets = [new ClientSecret("s_old", ClientSecrets.Hash(ClientSecrets.Generate()), DateTimeOffset.UtcNow), new ClientSecret("s_new", ClientSecrets.Hash(secret), DateTimeOffset.UtcNow)],
        });
        _authenticator = new ClientAuthenticator(clients, new InMemoryReplayCache(TimeProvider.System), TimeProvider.System);
        _form = ProtocolParameters.From(("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", "https://jira.acme.eu/cb"));
        string header = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("atlassian:" + secret))).ToString();
        if (!BasicCredentials.TryParse(header, out BasicCredentials? basic))
        {
            throw new InvalidOperationException("The Basic header does not parse.");
        }

        _basic = basic;
        if (!CodeChallenge.VerifyS256(Verifier, Challenge))
        {
            throw new InvalidOperationException("The PKCE pair does not verify.");
        }
    }

    [Benchmark]
    public bool PkceS256() => CodeChallenge.VerifyS256(Verifier, Challenge);

    [Benchmark]
    public async Task<bool> ClientSecretBasic() =>
        (await _authenticator.AuthenticateAsync(_organization, _form, _basic, CancellationToken.None)).IsSuccess;
}

/// <summary>A user's ID token claims (profile, email, groups) with 3 groups, as a Jira user has, and with 150.</summary>
[MemoryDiagnoser]
public class ClaimWritingBenchmarks
{
    private static readonly string[] Scopes = ["openid", "profile", "email", "groups"];

    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private User _user = null!;

    [Params(3, 150)]
    public int Groups { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _user = new User
        {
            OrganizationId = 1,
            Subject = "u_01JD7Z3K9Q4W8E2R6T",
            Username = "alice",
            Name = "Alice Andersson",
            GivenName = "Alice",
            FamilyName = "Andersson",
            Email = "alice@acme.eu",
            EmailVerified = true,
            Groups = [.. Enumerable.Range(0, Groups).Select(i => i switch { 0 => "jira-administrators", 1 => "jira-software-users", 2 => "confluence-users", _ => $"team-{i:D3}" })],
        };
    }

    [Benchmark]
    public int IdTokenClaims()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        writer.WriteStartObject();
        UserClaimsWriter.Write(writer, _user, Scopes, ClaimMapping.Default, ClaimTarget.IdToken);
        writer.WriteEndObject();
        writer.Flush();
        return _buffer.WrittenCount;
    }
}
