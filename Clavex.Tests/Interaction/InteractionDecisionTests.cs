using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;

namespace Clavex.Tests.Interaction;

/// <summary>OIDC Core §3.1.2.1 prompt and max_age, §3.1.2.3–3.1.2.4 authentication and consent.</summary>
public class InteractionDecisionTests
{
    private ProtocolFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new ProtocolFixture();

    private async Task<AuthorizationRequest> RequestAsync(params (string, string)[] extra)
    {
        AuthorizationValidation validation = await _fixture.ValidateAsync([.. JiraAuthorizeRequest(), .. extra]);
        return validation.Request!;
    }

    private InteractionDecision Decide(AuthorizationRequest request, AuthenticationSession? session, bool fresh = false, bool consent = false, bool consentFresh = false) =>
        InteractionDecision.Decide(request, new InteractionState(session, fresh, consent, consentFresh), _fixture.Clock.GetUtcNow());

    [Test]
    public async Task Without_a_session_the_user_logs_in()
    {
        Assert.That(Decide(await RequestAsync(), null).Kind, Is.EqualTo(InteractionKind.Login));
    }

    [Test]
    public async Task With_a_session_the_code_is_issued_without_interaction()
    {
        Assert.That(Decide(await RequestAsync(), _fixture.SessionFor(AliceSubject)).Kind, Is.EqualTo(InteractionKind.IssueCode));
    }

    [Test]
    public async Task Prompt_none_without_a_session_is_login_required_at_the_redirect_uri()
    {
        InteractionDecision decision = Decide(await RequestAsync(("prompt", "none")), null);

        Assert.That(decision.Kind, Is.EqualTo(InteractionKind.Error));
        Assert.That(decision.Error!.Error!.Code, Is.EqualTo(OAuthErrorCode.LoginRequired));
        Assert.That(decision.Error.ToQueryRedirectUrl(), Does.StartWith(JiraCallback + "?error=login_required&"));
        Assert.That(decision.Error.Parameters, Does.Contain(new KeyValuePair<string, string>("state", "af0ifjsldkj")));
    }

    [Test]
    public async Task Prompt_none_with_a_session_issues_the_code()
    {
        Assert.That(Decide(await RequestAsync(("prompt", "none")), _fixture.SessionFor(AliceSubject)).Kind, Is.EqualTo(InteractionKind.IssueCode));
    }

    [Test]
    public async Task Prompt_login_forces_a_new_login_despite_a_session()
    {
        AuthorizationRequest request = await RequestAsync(("prompt", "login"));

        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject)).Kind, Is.EqualTo(InteractionKind.Login));
        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject), fresh: true).Kind, Is.EqualTo(InteractionKind.IssueCode));
    }

    [Test]
    public async Task Prompt_select_account_shows_the_login_page()
    {
        Assert.That(Decide(await RequestAsync(("prompt", "select_account")), _fixture.SessionFor(AliceSubject)).Kind, Is.EqualTo(InteractionKind.Login));
    }

    [Test]
    public async Task Max_age_zero_forces_reauthentication()
    {
        AuthorizationRequest request = await RequestAsync(("max_age", "0"));
        _fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject, TimeSpan.FromSeconds(1))).Kind, Is.EqualTo(InteractionKind.Login));
        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject), fresh: true).Kind, Is.EqualTo(InteractionKind.IssueCode));
    }

    [Test]
    public async Task Max_age_is_compared_with_the_sessions_auth_time()
    {
        AuthorizationRequest request = await RequestAsync(("max_age", "300"));

        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject, TimeSpan.FromSeconds(300))).Kind, Is.EqualTo(InteractionKind.IssueCode));
        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject, TimeSpan.FromSeconds(301))).Kind, Is.EqualTo(InteractionKind.Login));
    }

    [Test]
    public async Task Prompt_none_with_an_exceeded_max_age_is_login_required()
    {
        InteractionDecision decision = Decide(await RequestAsync(("prompt", "none"), ("max_age", "60")), _fixture.SessionFor(AliceSubject, TimeSpan.FromMinutes(5)));

        Assert.That(decision.Error!.Error!.Code, Is.EqualTo(OAuthErrorCode.LoginRequired));
    }

    [Test]
    public async Task A_client_requiring_consent_asks_once_and_then_remembers()
    {
        var client = _fixture.Atlassian(_fixture.AtlassianSecret);
        _fixture.Clients.Add(new Client
        {
            OrganizationId = 1, ClientId = "wiki", RequireConsent = true, RedirectUris = client.RedirectUris, Scopes = client.Scopes,
        });
        AuthorizationRequest request = (await _fixture.ValidateAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "client_id"), ("client_id", "wiki")])).Request!;

        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject)).Kind, Is.EqualTo(InteractionKind.Consent));
        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject), consent: true).Kind, Is.EqualTo(InteractionKind.IssueCode));
    }

    [Test]
    public async Task Prompt_none_without_consent_is_consent_required()
    {
        _fixture.Clients.Add(new Client { OrganizationId = 1, ClientId = "wiki", RequireConsent = true, RedirectUris = [JiraCallback] });
        AuthorizationRequest request = (await _fixture.ValidateAsync(
            [("response_type", "code"), ("client_id", "wiki"), ("redirect_uri", JiraCallback), ("scope", "openid"), ("prompt", "none")])).Request!;

        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject)).Error!.Error!.Code, Is.EqualTo(OAuthErrorCode.ConsentRequired));
    }

    [Test]
    public async Task Prompt_consent_asks_again_even_when_consent_is_remembered()
    {
        AuthorizationRequest request = await RequestAsync(("prompt", "consent"));

        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject), consent: true).Kind, Is.EqualTo(InteractionKind.Consent));
        Assert.That(Decide(request, _fixture.SessionFor(AliceSubject), consent: true, consentFresh: true).Kind, Is.EqualTo(InteractionKind.IssueCode));
    }
}
