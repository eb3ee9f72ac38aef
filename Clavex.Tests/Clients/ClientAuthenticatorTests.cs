using System.Security.Cryptography;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores.InMemory;
using Clavex.Tests.Jose;
using Clavex.Tests.Support;

namespace Clavex.Tests.Clients;

public sealed class ClientAuthenticatorTests
{
    private const string JiraSecret = "cs_JiraJiraJiraJiraJiraJiraJiraJiraJiraJiraJir";
    private const string ConfluenceSecret = "cs_ConfluenceConfluenceConfluenceConfluenceCon";
    private const string OldSecret = "cs_OldOldOldOldOldOldOldOldOldOldOldOldOldOldO";
    private const string NewSecret = "cs_NewNewNewNewNewNewNewNewNewNewNewNewNewNewN";
    private const string ExpiredSecret = "cs_ExpiredExpiredExpiredExpiredExpiredExpired1";

    private static readonly Organization Acme = new(1, "acme", "https://id.acme.eu/acme");
    private static readonly Organization Globex = new(2, "globex", "https://id.acme.eu/globex");

    private TestClock _clock = null!;
    private InMemoryClientStore _clients = null!;
    private ClientAuthenticator _authenticator = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    [SetUp]
    public void RegisterClients()
    {
        _clock = new TestClock();
        _clients = new InMemoryClientStore();
        _authenticator = new ClientAuthenticator(_clients, new InMemoryReplayCache(_clock), _clock);

        AddSecretClient("jira", TokenEndpointAuthMethod.ClientSecretBasic, Secret("jira-1", JiraSecret));
        AddSecretClient("confluence", TokenEndpointAuthMethod.ClientSecretPost, Secret("confluence-1", ConfluenceSecret));
        AddSecretClient(
            "bitbucket",
            TokenEndpointAuthMethod.ClientSecretBasic,
            Secret("expired", ExpiredSecret, expiresAt: Now.AddSeconds(-1)),
            Secret("old", OldSecret, expiresAt: Now.AddHours(1)),
            Secret("new", NewSecret));
        _clients.Add(new Client { OrganizationId = Acme.Id, ClientId = "legacy", Enabled = false, Secrets = [Secret("legacy-1", JiraSecret)] });

        // The public and the key client keep a secret from before they were switched; it must no longer work.
        AddSecretClient("cli", TokenEndpointAuthMethod.None, Secret("leftover", JiraSecret));
        AddKeyClient("service", new JwsKeySet(TestKeys.RS256, TestKeys.PS256, TestKeys.ES256), Secret("leftover", JiraSecret));
        AddKeyClient("hmac-service", new JwsKeySet(TestKeys.HS256));
        AddKeyClient("keyless-service", null);
    }

    // Secrets

    [Test]
    public async Task A_client_secret_basic_client_authenticates_with_the_Authorization_header()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("jira", JiraSecret));

        AssertSuccess(result, "jira", TokenEndpointAuthMethod.ClientSecretBasic);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MatchedSecretId, Is.EqualTo("jira-1"));
            Assert.That(result.BasicAttempted, Is.True);
        }
    }

    [Test]
    public async Task A_client_secret_post_client_authenticates_with_the_form()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_id", "confluence"), ("client_secret", ConfluenceSecret));

        AssertSuccess(result, "confluence", TokenEndpointAuthMethod.ClientSecretPost);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MatchedSecretId, Is.EqualTo("confluence-1"));
            Assert.That(result.BasicAttempted, Is.False);
        }
    }

    [Test]
    public async Task A_client_registered_for_client_secret_post_may_authenticate_with_Basic_as_Atlassian_does()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("confluence", ConfluenceSecret));

        AssertSuccess(result, "confluence", TokenEndpointAuthMethod.ClientSecretBasic);
    }

    [Test]
    public async Task A_client_registered_for_client_secret_basic_may_authenticate_with_the_form()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_id", "jira"), ("client_secret", JiraSecret));

        AssertSuccess(result, "jira", TokenEndpointAuthMethod.ClientSecretPost);
    }

    [Test]
    public async Task An_Atlassian_header_with_encoded_colon_plus_percent_and_non_ASCII_authenticates()
    {
        const string ClientId = "jira:prod+1%";
        const string ClientSecret = "s:e+c%r ét€";
        AddSecretClient(ClientId, TokenEndpointAuthMethod.ClientSecretPost, Secret("s1", ClientSecret));
        string header = BasicCredentialsTests.Header(
            $"{BasicCredentialsTests.FormEncode(ClientId)}:{BasicCredentialsTests.FormEncode(ClientSecret)}");
        Assert.That(BasicCredentials.TryParse(header, out BasicCredentials? basic), Is.True);

        ClientAuthenticationResult result = await AuthenticateAsync(basic);

        AssertSuccess(result, ClientId, TokenEndpointAuthMethod.ClientSecretBasic);
    }

    [Test]
    public async Task A_wrong_secret_in_the_header_is_invalid_client_over_Basic()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("jira", ConfluenceSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.BasicAttempted, Is.True);
    }

    [Test]
    public async Task A_wrong_secret_in_the_form_is_invalid_client_without_Basic()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_id", "confluence"), ("client_secret", JiraSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.BasicAttempted, Is.False);
    }

    [Test]
    public async Task An_unknown_client_and_a_wrong_secret_look_the_same_from_outside()
    {
        ClientAuthenticationResult unknown = await AuthenticateAsync(new BasicCredentials("jria", JiraSecret));
        ClientAuthenticationResult wrongSecret = await AuthenticateAsync(new BasicCredentials("jira", "cs_guess"));

        AssertFailure(unknown, OAuthErrorCode.InvalidClient);
        AssertFailure(wrongSecret, OAuthErrorCode.InvalidClient);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unknown.Error!.Description, Is.EqualTo(wrongSecret.Error!.Description));
            Assert.That(unknown.Error.Detail, Does.Contain("unknown client"));
            Assert.That(wrongSecret.Error.Detail, Does.Contain("no valid secret"));
            Assert.That(wrongSecret.Error.Detail, Does.Contain("matches none of the client's secrets"));
            Assert.That(unknown.ClaimedClientId, Is.EqualTo("jria"), "the claimed id, for filtering the audit log");
            Assert.That(wrongSecret.ClaimedClientId, Is.EqualTo("jira"));
        }
    }

    [Test]
    public async Task A_disabled_client_is_invalid_client_even_with_the_right_secret()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("legacy", JiraSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.Error!.Detail, Does.Contain("disabled"));
    }

    [Test]
    public async Task A_request_without_any_client_id_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null);

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    [Test]
    public async Task A_form_secret_without_a_client_id_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_secret", JiraSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    [Test]
    public async Task A_confidential_client_presenting_only_its_id_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_id", "jira"));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    [TestCase(OldSecret, "old")]
    [TestCase(NewSecret, "new")]
    public async Task During_a_rotation_both_secrets_work_and_the_one_used_is_reported(string secret, string secretId)
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("bitbucket", secret));

        AssertSuccess(result, "bitbucket", TokenEndpointAuthMethod.ClientSecretBasic);
        Assert.That(result.MatchedSecretId, Is.EqualTo(secretId));
    }

    [Test]
    public async Task An_expired_secret_never_matches()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("bitbucket", ExpiredSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        // Outside, the same answer as a wrong secret; inside (the audit log), which secret it was and when it expired.
        Assert.That(result.Error!.Detail, Is.EqualTo($"client bitbucket presented no valid secret: it is secret expired, which expired at {Now.AddSeconds(-1):O}"));
    }

    [Test]
    public async Task A_secret_stops_working_when_it_expires()
    {
        _clock.Advance(TimeSpan.FromHours(1));

        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("bitbucket", OldSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    [Test]
    public async Task A_client_of_another_organisation_is_unknown()
    {
        ClientAuthenticationResult result = await _authenticator.AuthenticateAsync(
            Globex, ProtocolParameters.Empty, new BasicCredentials("jira", JiraSecret), CancellationToken.None);

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.Error!.Detail, Does.Contain("unknown client"));
    }

    // How credentials are presented

    [Test]
    public async Task Basic_and_a_form_secret_together_are_invalid_request()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("jira", JiraSecret), ("client_secret", JiraSecret));

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task Basic_and_a_client_assertion_together_are_invalid_request()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            new BasicCredentials("service", JiraSecret), AssertionParameters(Assertion(TestKeys.RS256)));

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_form_secret_and_a_client_assertion_together_are_invalid_request()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, [("client_id", "service"), ("client_secret", JiraSecret), .. AssertionParameters(Assertion(TestKeys.RS256))]);

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_form_client_id_equal_to_the_Basic_client_id_is_allowed()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("jira", JiraSecret), ("client_id", "jira"));

        AssertSuccess(result, "jira", TokenEndpointAuthMethod.ClientSecretBasic);
    }

    [Test]
    public async Task A_form_client_id_other_than_the_Basic_client_id_is_invalid_request()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("jira", JiraSecret), ("client_id", "confluence"));

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
    }

    [TestCase("client_id")]
    [TestCase("client_secret")]
    [TestCase("client_assertion")]
    [TestCase("client_assertion_type")]
    public async Task A_repeated_credential_parameter_is_invalid_request(string name)
    {
        (string, string)[] form =
            [("client_id", "confluence"), ("client_secret", ConfluenceSecret), ("client_assertion", "x"), ("client_assertion_type", ClientAssertionTypes.JwtBearer)];

        ClientAuthenticationResult result = await AuthenticateAsync(null, [.. form.Where(p => p.Item1 == name), .. form.Where(p => p.Item1 == name)]);

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
        Assert.That(result.Error!.Description, Does.Contain(name));
    }

    [Test]
    public async Task A_repeated_client_id_is_invalid_request_even_with_identical_values()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, ("client_id", "confluence"), ("client_id", "confluence"), ("client_secret", ConfluenceSecret));

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_client_assertion_without_its_type_is_invalid_request()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_assertion", Assertion(TestKeys.RS256)));

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_client_assertion_type_without_an_assertion_is_invalid_request()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, ("client_id", "service"), ("client_assertion_type", ClientAssertionTypes.JwtBearer));

        AssertFailure(result, OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task An_unsupported_client_assertion_type_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, ("client_assertion", Assertion(TestKeys.RS256)), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    // Public clients

    [Test]
    public async Task A_public_client_is_identified_by_its_client_id_alone()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_id", "cli"));

        AssertSuccess(result, "cli", TokenEndpointAuthMethod.None);
        Assert.That(result.MatchedSecretId, Is.Null);
    }

    [Test]
    public async Task A_public_client_presenting_a_form_secret_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, ("client_id", "cli"), ("client_secret", JiraSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.Error!.Detail, Does.Contain("registered for none"));
    }

    [Test]
    public async Task A_public_client_presenting_Basic_is_invalid_client_over_Basic()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("cli", JiraSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.BasicAttempted, Is.True);
            Assert.That(result.Error!.Detail, Does.Contain("registered for none"));
        }
    }

    // private_key_jwt

    [TestCase(JwsAlgorithm.RS256)]
    [TestCase(JwsAlgorithm.PS256)]
    [TestCase(JwsAlgorithm.ES256)]
    public async Task A_valid_client_assertion_authenticates(JwsAlgorithm algorithm)
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, [("client_id", "service"), .. AssertionParameters(Assertion(TestKeys.For(algorithm)))]);

        AssertSuccess(result, "service", TokenEndpointAuthMethod.PrivateKeyJwt);
        Assert.That(result.MatchedSecretId, Is.Null);
    }

    [Test]
    public async Task Without_a_client_id_the_assertion_names_the_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.ES256)));

        AssertSuccess(result, "service", TokenEndpointAuthMethod.PrivateKeyJwt);
    }

    // Issue 16: the client id is read from the assertion before anything is verified, so from text anyone can write.
    [TestCase("{\"iss\":\"\\ud800\"}")]
    [TestCase("{\"sub\":\"\\udc00\"}")]
    public async Task Without_a_client_id_an_assertion_naming_no_readable_client_is_invalid_client(string payload)
    {
        string assertion = "eyJhbGciOiJSUzI1NiJ9." + Base64UrlEncoding.Encode(System.Text.Encoding.UTF8.GetBytes(payload)) + ".c2ln";

        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(assertion));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    [Test]
    public async Task The_issuer_is_accepted_as_audience()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.RS256, audience: Acme.Issuer)));

        AssertSuccess(result, "service", TokenEndpointAuthMethod.PrivateKeyJwt);
    }

    [Test]
    public async Task An_assertion_for_another_audience_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, AssertionParameters(Assertion(TestKeys.RS256, audience: Globex.TokenEndpoint)));

        AssertAssertionRefused(result, "InvalidAudience");
    }

    [Test]
    public async Task A_replayed_assertion_is_invalid_client()
    {
        string assertion = Assertion(TestKeys.RS256);
        AssertSuccess(await AuthenticateAsync(null, AssertionParameters(assertion)), "service", TokenEndpointAuthMethod.PrivateKeyJwt);

        ClientAuthenticationResult replay = await AuthenticateAsync(null, AssertionParameters(assertion));

        AssertAssertionRefused(replay, "already used");
    }

    [Test]
    public async Task A_reused_jti_in_a_fresh_assertion_is_invalid_client()
    {
        await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.RS256, jti: "jti-1")));
        _clock.Advance(TimeSpan.FromSeconds(30));

        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.ES256, jti: "jti-1")));

        AssertAssertionRefused(result, "already used");
    }

    [Test]
    public async Task An_expired_assertion_is_invalid_client()
    {
        string assertion = Assertion(TestKeys.RS256, expiresIn: TimeSpan.FromMinutes(1));
        _clock.Advance(TimeSpan.FromMinutes(3));

        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(assertion));

        AssertAssertionRefused(result, "Expired");
    }

    [Test]
    public async Task An_assertion_signed_by_a_key_the_client_did_not_register_is_invalid_client()
    {
        // Same kid as the registered key, so the signature itself must fail.
        using var impostor = new RsaJwsKey(RSA.Create(2048), JwsAlgorithm.RS256, keyId: TestKeys.RS256.KeyId);

        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(impostor)));

        AssertAssertionRefused(result, "InvalidSignature");
    }

    [Test]
    public async Task An_HS256_assertion_is_refused_even_when_the_client_registered_that_key()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, AssertionParameters(Assertion(TestKeys.HS256, clientId: "hmac-service")));

        AssertAssertionRefused(result, "AlgorithmNotAllowed");
    }

    [Test]
    public async Task An_assertion_whose_sub_is_not_its_iss_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, [("client_id", "service"), .. AssertionParameters(Assertion(TestKeys.RS256, subject: "jira"))]);

        AssertAssertionRefused(result, "sub is not the client id");
    }

    [Test]
    public async Task Without_a_client_id_an_assertion_whose_sub_is_not_its_iss_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.RS256, subject: "jira")));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    [Test]
    public async Task A_client_id_other_than_the_assertion_issuer_is_invalid_client()
    {
        AddKeyClient("other-service", new JwsKeySet(TestKeys.RS256));

        ClientAuthenticationResult result = await AuthenticateAsync(
            null, [("client_id", "other-service"), .. AssertionParameters(Assertion(TestKeys.RS256))]);

        AssertAssertionRefused(result, "InvalidIssuer");
    }

    [Test]
    public async Task An_assertion_without_jti_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.RS256, withJti: false)));

        AssertAssertionRefused(result, "no jti");
    }

    // Found by the adversarial review: a validly signed assertion whose jti escapes a lone surrogate cannot be read
    // as a string, and reading it threw (a 500 at the token endpoint).
    [TestCase("\"\\ud800\"", TestName = "A_jti_escaping_a_lone_high_surrogate_is_invalid_client")]
    [TestCase("\"a\\udc00b\"", TestName = "A_jti_escaping_a_lone_low_surrogate_is_invalid_client")]
    [TestCase("42", TestName = "A_numeric_jti_is_invalid_client")]
    public async Task An_assertion_whose_jti_is_not_a_readable_string_is_invalid_client(string rawJti)
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.RS256, rawJti: rawJti)));

        AssertAssertionRefused(result, "no jti");
    }

    [Test]
    public async Task An_assertion_without_exp_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(Assertion(TestKeys.RS256, withExp: false)));

        AssertAssertionRefused(result, "MissingExpiration");
    }

    [Test]
    public async Task An_assertion_expiring_ten_minutes_ahead_as_MSAL_makes_them_is_accepted()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, AssertionParameters(Assertion(TestKeys.RS256, expiresIn: TimeSpan.FromMinutes(10))));

        AssertSuccess(result, "service", TokenEndpointAuthMethod.PrivateKeyJwt);
    }

    [Test]
    public async Task An_assertion_expiring_more_than_ten_minutes_ahead_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, AssertionParameters(Assertion(TestKeys.RS256, expiresIn: TimeSpan.FromMinutes(12))));

        AssertAssertionRefused(result, "ahead");
    }

    [Test]
    public async Task A_key_client_presenting_a_secret_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(new BasicCredentials("service", JiraSecret));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.Error!.Detail, Does.Contain("registered for private_key_jwt"));
    }

    [Test]
    public async Task A_secret_client_presenting_an_assertion_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, AssertionParameters(Assertion(TestKeys.RS256, clientId: "jira")));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
        Assert.That(result.Error!.Detail, Does.Contain("registered for client_secret_basic"));
    }

    [Test]
    public async Task A_key_client_without_registered_keys_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(
            null, AssertionParameters(Assertion(TestKeys.RS256, clientId: "keyless-service")));

        AssertAssertionRefused(result, "no registered keys");
    }

    [TestCase("not-a-jwt")]
    [TestCase("a.b.c")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln")]
    public async Task An_unreadable_assertion_without_a_client_id_is_invalid_client(string assertion)
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, AssertionParameters(assertion));

        AssertFailure(result, OAuthErrorCode.InvalidClient);
    }

    [Test]
    public async Task An_unreadable_assertion_with_a_client_id_is_invalid_client()
    {
        ClientAuthenticationResult result = await AuthenticateAsync(null, [("client_id", "service"), .. AssertionParameters("a.b.c")]);

        AssertAssertionRefused(result, "refused");
    }

    private Task<ClientAuthenticationResult> AuthenticateAsync(BasicCredentials? basic, params (string Name, string Value)[] form) =>
        _authenticator.AuthenticateAsync(Acme, ProtocolParameters.From([("grant_type", "authorization_code"), .. form]), basic, CancellationToken.None);

    private static (string Name, string Value)[] AssertionParameters(string assertion) =>
        [("client_assertion_type", ClientAssertionTypes.JwtBearer), ("client_assertion", assertion)];

    private string Assertion(
        JwsKey key,
        string clientId = "service",
        string? subject = null,
        string? audience = null,
        TimeSpan? expiresIn = null,
        bool withExp = true,
        string? jti = null,
        bool withJti = true,
        string? rawJti = null)
    {
        long now = Now.ToUnixTimeSeconds();
        using var jwt = JwtWriter.Create();
        jwt.Claims.WriteString(JwtClaimNames.Iss, clientId);
        jwt.Claims.WriteString(JwtClaimNames.Sub, subject ?? clientId);
        jwt.Claims.WriteString(JwtClaimNames.Aud, audience ?? Acme.TokenEndpoint);
        jwt.Claims.WriteNumber(JwtClaimNames.Iat, now);
        if (withExp)
        {
            jwt.Claims.WriteNumber(JwtClaimNames.Exp, now + (long)(expiresIn ?? TimeSpan.FromMinutes(1)).TotalSeconds);
        }

        if (rawJti is not null)
        {
            jwt.Claims.WritePropertyName(JwtClaimNames.Jti);
            jwt.Claims.WriteRawValue(rawJti, skipInputValidation: true);
        }
        else if (withJti)
        {
            jwt.Claims.WriteString(JwtClaimNames.Jti, jti ?? RandomNumberGenerator.GetHexString(16));
        }

        return jwt.Sign(key, JwtType.Jwt);
    }

    private void AddSecretClient(string clientId, TokenEndpointAuthMethod method, params ClientSecret[] secrets) =>
        _clients.Add(new Client { OrganizationId = Acme.Id, ClientId = clientId, TokenEndpointAuthMethod = method, Secrets = secrets });

    private void AddKeyClient(string clientId, JwsKeySet? keys, params ClientSecret[] secrets) =>
        _clients.Add(new Client
        {
            OrganizationId = Acme.Id,
            ClientId = clientId,
            TokenEndpointAuthMethod = TokenEndpointAuthMethod.PrivateKeyJwt,
            Jwks = keys,
            Secrets = secrets,
        });

    private ClientSecret Secret(string id, string secret, DateTimeOffset? expiresAt = null) =>
        new(id, ClientSecrets.Hash(secret), Now.AddDays(-30), expiresAt);

    private static void AssertSuccess(ClientAuthenticationResult result, string clientId, TokenEndpointAuthMethod method)
    {
        Assert.That(result.IsSuccess, Is.True, () => result.Error!.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Client!.ClientId, Is.EqualTo(clientId));
            Assert.That(result.Method, Is.EqualTo(method));
            Assert.That(result.Error, Is.Null);
        }
    }

    private static void AssertFailure(ClientAuthenticationResult result, OAuthErrorCode code)
    {
        Assert.That(result.IsSuccess, Is.False);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Error!.ErrorName, Is.EqualTo(OAuthErrorCodes.GetName(code)));
            Assert.That(result.Client, Is.Null);
            Assert.That(result.Method, Is.Null);
        }
    }

    private static void AssertAssertionRefused(ClientAuthenticationResult result, string reason)
    {
        AssertFailure(result, OAuthErrorCode.InvalidClient);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Error!.Description, Is.EqualTo("Client authentication failed."));
            Assert.That(result.Error.Detail, Does.Contain(reason));
        }
    }
}
