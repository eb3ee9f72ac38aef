using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;

namespace Clavex.Tests.Authorization;

/// <summary>OIDC Core §3.1.2.1–3.1.2.2, RFC 6749 §4.1.1–4.1.2.1, RFC 7636 §4.3–4.4, RFC 9207.</summary>
public class AuthorizationRequestValidatorTests
{
    private ProtocolFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new ProtocolFixture();

    private static List<(string, string)> Request(params (string Name, string Value)[] overrides)
    {
        List<(string Name, string Value)> pairs = JiraAuthorizeRequest();
        foreach (var (name, value) in overrides)
        {
            pairs.RemoveAll(p => p.Name == name);
            if (value is not null)
            {
                pairs.Add((name, value));
            }
        }

        return pairs;
    }

    private static List<(string, string)> Without(string name) => JiraAuthorizeRequest().Where(p => p.Item1 != name).ToList();

    private async Task<AuthorizationRejection> RejectedAsync(List<(string, string)> pairs)
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(pairs);
        Assert.That(validation.Request, Is.Null);
        Assert.That(validation.Redirect, Is.Null, "must never redirect before client and redirect URI are proven");
        return validation.Rejection!;
    }

    private async Task<AuthorizationResponse> RedirectedAsync(List<(string, string)> pairs, OAuthErrorCode expected)
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(pairs);
        Assert.That(validation.Redirect, Is.Not.Null, () => validation.Rejection?.Message ?? "request was accepted");
        Assert.That(validation.Redirect!.Error!.Code, Is.EqualTo(expected), validation.Redirect.Error.ToString);
        return validation.Redirect;
    }

    [Test]
    public async Task Jiras_request_is_valid_with_all_scopes_granted()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(JiraAuthorizeRequest());

        AuthorizationRequest request = validation.Request!;
        Assert.That(request.Client.ClientId, Is.EqualTo("atlassian"));
        Assert.That(request.RedirectUri, Is.EqualTo(JiraCallback));
        Assert.That(request.Scopes, Is.EqualTo(new[] { "openid", "profile", "email", "groups" }));
        Assert.That(request.State, Is.EqualTo("af0ifjsldkj"));
        Assert.That(request.Nonce, Is.EqualTo("n-0S6_WzA2Mj"));
        Assert.That(request.ResponseMode, Is.EqualTo("query"));
        Assert.That(request.CodeChallenge, Is.Null, "the admin guide's client works without PKCE");
    }

    [Test]
    public async Task Confluence_callback_is_the_second_registered_redirect_uri()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(Request(("redirect_uri", ConfluenceCallback)));

        Assert.That(validation.Request!.RedirectUri, Is.EqualTo(ConfluenceCallback));
    }

    [Test]
    public async Task Unknown_client_is_rejected_without_redirect_and_named()
    {
        AuthorizationRejection rejection = await RejectedAsync(Request(("client_id", "jira")));

        Assert.That(rejection.Message, Is.EqualTo("The application 'jira' is not registered in organisation 'acme'."));
        Assert.That(rejection.ClientId, Is.EqualTo("jira"));
        Assert.That(rejection.Error.Code, Is.EqualTo(OAuthErrorCode.InvalidRequest));
    }

    [Test]
    public async Task Missing_client_id_is_rejected_without_redirect()
    {
        AuthorizationRejection rejection = await RejectedAsync(Without("client_id"));

        Assert.That(rejection.Message, Does.Contain("client_id is missing"));
    }

    [Test]
    public async Task Repeated_client_id_is_rejected_without_redirect()
    {
        AuthorizationRejection rejection = await RejectedAsync([.. JiraAuthorizeRequest(), ("client_id", "atlassian")]);

        Assert.That(rejection.Message, Does.Contain("client_id is repeated"));
    }

    [Test]
    public async Task Disabled_client_is_rejected_without_redirect()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 1, ClientId = "old", Enabled = false, RedirectUris = [JiraCallback] });

        AuthorizationRejection rejection = await RejectedAsync(Request(("client_id", "old")));

        Assert.That(rejection.Message, Is.EqualTo("The application 'old' is disabled in organisation 'acme'."));
    }

    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback/", TestName = "A trailing slash is a different redirect URI")]
    [TestCase("https://JIRA.acme.eu/plugins/servlet/oidc/callback", TestName = "A differently cased host is a different redirect URI")]
    [TestCase("https://jira.acme.eu/plugins/servlet/oidc/callback?x=1", TestName = "An added query is a different redirect URI")]
    [TestCase("https://evil.example/plugins/servlet/oidc/callback", TestName = "Another host is a different redirect URI")]
    [TestCase("http://jira.acme.eu/plugins/servlet/oidc/callback", TestName = "Another scheme is a different redirect URI")]
    public async Task Unregistered_redirect_uri_is_rejected_without_redirect_and_named(string redirectUri)
    {
        AuthorizationRejection rejection = await RejectedAsync(Request(("redirect_uri", redirectUri)));

        Assert.That(rejection.Message, Is.EqualTo($"The redirect URI {redirectUri} is not registered for client 'atlassian'."));
        Assert.That(rejection.RedirectUri, Is.EqualTo(redirectUri));
    }

    [Test]
    public async Task Missing_redirect_uri_is_rejected_without_redirect()
    {
        AuthorizationRejection rejection = await RejectedAsync(Without("redirect_uri"));

        Assert.That(rejection.Message, Is.EqualTo("The sign-in request for client 'atlassian' has no redirect_uri."));
    }

    [TestCase("http://127.0.0.1:51004/callback", true, TestName = "Native client: loopback IPv4 on any port matches (RFC 8252 §7.3)")]
    [TestCase("http://[::1]:6000/callback", true, TestName = "Native client: loopback IPv6 on any port matches")]
    [TestCase("http://127.0.0.1:51004/other", false, TestName = "Native client: loopback with another path does not match")]
    [TestCase("http://localhost:51004/callback", false, TestName = "Native client: localhost is not a loopback literal (RFC 8252 §8.3)")]
    public async Task Native_loopback_redirects_ignore_the_port(string redirectUri, bool accepted)
    {
        _fixture.Clients.Add(new Client
        {
            OrganizationId = 1,
            ClientId = "cli",
            IsNative = true,
            TokenEndpointAuthMethod = TokenEndpointAuthMethod.None,
            RedirectUris = ["http://127.0.0.1/callback", "http://[::1]/callback"],
        });

        AuthorizationValidation validation = await _fixture.ValidateAsync(
            Request(("client_id", "cli"), ("redirect_uri", redirectUri), ("code_challenge", RfcVectors_Challenge), ("code_challenge_method", "S256")));

        Assert.That(validation.Request is not null, Is.EqualTo(accepted), () => validation.Rejection?.Message ?? string.Empty);
    }

    [Test]
    public async Task A_web_client_gets_no_loopback_port_exception()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 1, ClientId = "web", RedirectUris = ["http://127.0.0.1/callback"] });

        AuthorizationRejection rejection = await RejectedAsync(Request(("client_id", "web"), ("redirect_uri", "http://127.0.0.1:8080/callback")));

        Assert.That(rejection.RedirectUri, Is.EqualTo("http://127.0.0.1:8080/callback"));
    }

    [Test]
    public async Task Errors_after_the_redirect_uri_is_proven_carry_state_and_iss()
    {
        AuthorizationResponse response = await RedirectedAsync(Without("response_type"), OAuthErrorCode.InvalidRequest);

        Assert.That(response.RedirectUri, Is.EqualTo(JiraCallback));
        Assert.That(response.ToQueryRedirectUrl(), Is.EqualTo(
            JiraCallback + "?error=invalid_request&error_description=response_type%20is%20missing.&state=af0ifjsldkj&iss=https%3A%2F%2Fid.acme.eu%2Facme"));
    }

    [TestCase("token")]
    [TestCase("id_token")]
    [TestCase("code id_token")]
    public async Task Response_types_other_than_code_are_unsupported(string responseType)
    {
        AuthorizationResponse response = await RedirectedAsync(Request(("response_type", responseType)), OAuthErrorCode.UnsupportedResponseType);

        Assert.That(response.Error!.Description, Is.EqualTo($"response_type '{responseType}' is not supported; only 'code' is."));
    }

    [TestCase("scope")]
    [TestCase("state")]
    [TestCase("nonce")]
    [TestCase("response_type")]
    [TestCase("code_challenge")]
    public async Task A_parameter_given_twice_is_invalid_request(string name)
    {
        var pairs = JiraAuthorizeRequest();
        pairs.Add((name, "x"));
        pairs.Add((name, "y"));

        AuthorizationResponse response = await RedirectedAsync(pairs, OAuthErrorCode.InvalidRequest);

        Assert.That(response.Error!.Description, Does.Contain($"'{name}' was given more than once"));
    }

    [Test]
    public async Task The_request_parameter_is_not_supported()
    {
        await RedirectedAsync(Request(("request", "eyJhbGciOiJub25lIn0.e30.")), OAuthErrorCode.RequestNotSupported);
    }

    [Test]
    public async Task The_request_uri_parameter_is_not_supported()
    {
        await RedirectedAsync(Request(("request_uri", "https://rp.example/request.jwt")), OAuthErrorCode.RequestUriNotSupported);
    }

    [Test]
    public async Task Scopes_the_client_may_not_use_are_dropped()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(Request(("scope", "openid phone profile admin")));

        Assert.That(validation.Request!.Scopes, Is.EqualTo(new[] { "openid", "profile" }));
    }

    [Test]
    public async Task Offline_access_is_granted_to_a_client_with_the_refresh_token_grant()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(Request(("scope", "openid offline_access")));

        Assert.That(validation.Request!.Scopes, Is.EqualTo(new[] { "openid", "offline_access" }));
    }

    [Test]
    public async Task A_request_with_no_allowed_scope_is_invalid_scope()
    {
        await RedirectedAsync(Request(("scope", "phone address")), OAuthErrorCode.InvalidScope);
    }

    [Test]
    public async Task A_request_without_scope_is_invalid_request()
    {
        await RedirectedAsync(Without("scope"), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task Nonce_is_optional()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(Without("nonce"));

        Assert.That(validation.Request!.Nonce, Is.Null);
    }

    [TestCase("none login")]
    [TestCase("consent none")]
    public async Task Prompt_none_combined_with_another_value_is_invalid_request(string prompt)
    {
        await RedirectedAsync(Request(("prompt", prompt)), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task An_unknown_prompt_value_is_invalid_request()
    {
        await RedirectedAsync(Request(("prompt", "create")), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task Prompt_values_are_read_together()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(Request(("prompt", "login consent")));

        Assert.That(validation.Request!.Prompt, Is.EqualTo(Prompt.Login | Prompt.Consent));
    }

    [TestCase("-1")]
    [TestCase("ten")]
    [TestCase("1.5")]
    public async Task A_max_age_that_is_not_a_non_negative_integer_is_invalid_request(string maxAge)
    {
        await RedirectedAsync(Request(("max_age", maxAge)), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task Form_post_response_mode_is_accepted()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(Request(("response_mode", "form_post")));

        Assert.That(validation.Request!.ResponseMode, Is.EqualTo("form_post"));
    }

    [Test]
    public async Task Fragment_response_mode_is_refused_through_the_query()
    {
        AuthorizationResponse response = await RedirectedAsync(Request(("response_mode", "fragment")), OAuthErrorCode.InvalidRequest);

        Assert.That(response.ResponseMode, Is.EqualTo("query"));
    }

    [Test]
    public async Task Parameters_that_are_accepted_without_effect_cause_no_error()
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync(Request(
            ("display", "page"), ("ui_locales", "de-CH"), ("claims_locales", "de"), ("claims", """{"id_token":{"email":null}}"""),
            ("id_token_hint", "eyJ.x.y"), ("acr_values", "urn:acme:pwd"), ("login_hint", "alice"), ("unknown_param", "ignored")));

        Assert.That(validation.Request, Is.Not.Null);
        Assert.That(validation.Request!.LoginHint, Is.EqualTo("alice"));
        Assert.That(validation.Request.AcrValues, Is.EqualTo(new[] { "urn:acme:pwd" }));
    }

    [Test]
    public async Task Plain_pkce_is_refused_unless_the_client_allows_it()
    {
        string verifier = new('a', 43);
        await RedirectedAsync(Request(("code_challenge", verifier), ("code_challenge_method", "plain")), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_challenge_without_method_means_plain_and_is_refused_by_default()
    {
        AuthorizationResponse response = await RedirectedAsync(Request(("code_challenge", new string('a', 43))), OAuthErrorCode.InvalidRequest);

        Assert.That(response.Error!.Description, Does.Contain("'plain' is not allowed"));
    }

    [Test]
    public async Task Plain_pkce_is_accepted_for_a_client_that_allows_it()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 1, ClientId = "legacy", AllowPlainPkce = true, RedirectUris = [JiraCallback] });

        AuthorizationValidation validation = await _fixture.ValidateAsync(
            Request(("client_id", "legacy"), ("scope", "openid"), ("code_challenge", new string('a', 43)), ("code_challenge_method", "plain")));

        Assert.That(validation.Request!.CodeChallengeMethod, Is.EqualTo("plain"));
    }

    [TestCase("tooshort")]
    [TestCase("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM")]
    public async Task A_malformed_s256_challenge_is_invalid_request(string challenge)
    {
        await RedirectedAsync(Request(("code_challenge", challenge), ("code_challenge_method", "S256")), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task An_unknown_challenge_method_is_invalid_request()
    {
        await RedirectedAsync(Request(("code_challenge", RfcVectors_Challenge), ("code_challenge_method", "S512")), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_public_client_must_send_a_challenge()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 1, ClientId = "spa", TokenEndpointAuthMethod = TokenEndpointAuthMethod.None, RedirectUris = [JiraCallback] });

        await RedirectedAsync(Request(("client_id", "spa"), ("scope", "openid")), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_confidential_client_with_require_pkce_must_send_a_challenge()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 1, ClientId = "strict", RequirePkce = true, RedirectUris = [JiraCallback] });

        await RedirectedAsync(Request(("client_id", "strict"), ("scope", "openid")), OAuthErrorCode.InvalidRequest);
    }

    [Test]
    public async Task A_client_without_the_code_grant_is_unauthorized_client()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 1, ClientId = "robot", GrantTypes = [GrantTypes.ClientCredentials], RedirectUris = [JiraCallback] });

        await RedirectedAsync(Request(("client_id", "robot")), OAuthErrorCode.UnauthorizedClient);
    }

    [Test]
    public async Task An_over_long_state_is_refused_and_not_echoed()
    {
        AuthorizationResponse response = await RedirectedAsync(Request(("state", new string('s', 2049))), OAuthErrorCode.InvalidRequest);

        Assert.That(response.Parameters.Any(p => p.Key == "state"), Is.False);
    }

    [Test]
    public async Task A_client_of_another_organisation_is_unknown_here()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 2, ClientId = "globex-app", RedirectUris = [JiraCallback] });

        AuthorizationRejection rejection = await RejectedAsync(Request(("client_id", "globex-app")));

        Assert.That(rejection.Message, Is.EqualTo("The application 'globex-app' is not registered in organisation 'acme'."));
    }

    private const string RfcVectors_Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
}
