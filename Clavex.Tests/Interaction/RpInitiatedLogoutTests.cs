using System.Text;
using Clavex.Core.Clients;
using Clavex.Core.Interaction;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores.InMemory;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;

namespace Clavex.Tests.Interaction;

/// <summary>OpenID Connect RP-Initiated Logout 1.0 §2–3 through the core alone.</summary>
public sealed class RpInitiatedLogoutTests
{
    private const string ReturnTo = "https://jira.acme.eu/logged-out";

    private ProtocolFixture _fixture = null!;
    private BrowserSessions _sessions = null!;
    private RpInitiatedLogout _logout = null!;

    [SetUp]
    public void CreateLogout()
    {
        _fixture = new ProtocolFixture();
        _fixture.Clients.Add(new Client
        {
            OrganizationId = _fixture.Organization.Id, ClientId = "wiki", RedirectUris = [JiraCallback], PostLogoutRedirectUris = [ReturnTo],
        });
        _sessions = new BrowserSessions(new InMemorySessionStore(), _fixture.Users, _fixture.Clock);
        _logout = new RpInitiatedLogout(new LogoutRequestValidator(_fixture.Clients, _fixture.Keys, _fixture.Clock), _sessions);
    }

    private string IdTokenFor(string sessionId, string audience = "wiki")
    {
        using JwtWriter jwt = JwtWriter.Create();
        jwt.Claims.WriteString(JwtClaimNames.Iss, Issuer);
        jwt.Claims.WriteString(JwtClaimNames.Sub, AliceSubject);
        jwt.Claims.WriteString(JwtClaimNames.Aud, audience);
        jwt.Claims.WriteNumber(JwtClaimNames.Exp, _fixture.Clock.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds());
        jwt.Claims.WriteString(JwtClaimNames.Sid, sessionId);
        return jwt.Sign(SigningKey, JwtType.Jwt);
    }

    [Test]
    public async Task A_hint_for_the_current_session_signs_out_at_once_and_returns_with_state()
    {
        StartedSession started = await _sessions.StartAsync(_fixture.Organization, AliceSubject, ["pwd"], null, CancellationToken.None);

        LogoutResult result = await _logout.StartAsync(_fixture.Organization, Parameters(
            ("id_token_hint", IdTokenFor(started.Session.Id)), ("post_logout_redirect_uri", ReturnTo), ("state", "s 1")), started.Secret, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(LogoutResultKind.Finish));
        Assert.That(result.SessionEnded, Is.True);
        Assert.That(result.ReturnLocation, Is.EqualTo(ReturnTo + "?state=s%201"));
        InteractionEvent logout = result.Events.Single();
        Assert.That((logout.Type, logout.Success, logout.ClientId, logout.Subject), Is.EqualTo(("logout", true, (string?)"wiki", (string?)AliceSubject)));
        Assert.That(await _sessions.FindCurrentAsync(_fixture.Organization, started.Secret, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Without_a_hint_for_this_session_the_user_is_asked_to_confirm()
    {
        StartedSession started = await _sessions.StartAsync(_fixture.Organization, AliceSubject, ["pwd"], null, CancellationToken.None);

        LogoutResult result = await _logout.StartAsync(_fixture.Organization, Parameters(("id_token_hint", IdTokenFor("another-session"))), started.Secret, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(LogoutResultKind.Confirm));
        Assert.That(result.SessionEnded, Is.False);
        Assert.That(await _sessions.FindCurrentAsync(_fixture.Organization, started.Secret, CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task Confirming_signs_out_and_cancelling_does_not()
    {
        StartedSession started = await _sessions.StartAsync(_fixture.Organization, AliceSubject, ["pwd"], null, CancellationToken.None);

        LogoutResult cancelled = await _logout.ConfirmAsync(_fixture.Organization, Parameters(), signOut: false, started.Secret, CancellationToken.None);
        LogoutResult confirmed = await _logout.ConfirmAsync(_fixture.Organization, Parameters(), signOut: true, started.Secret, CancellationToken.None);

        Assert.That((cancelled.Kind, cancelled.SessionEnded, cancelled.ReturnLocation), Is.EqualTo((LogoutResultKind.Finish, false, (string?)null)));
        Assert.That((confirmed.Kind, confirmed.SessionEnded), Is.EqualTo((LogoutResultKind.Finish, true)));
    }

    [TestCase("https://evil.example/", "wiki", "post_logout_redirect_uri https://evil.example/ is not registered for client wiki",
        TestName = "An_unregistered_post_logout_redirect_uri_is_refused")]
    [TestCase(ReturnTo, null, "post_logout_redirect_uri " + ReturnTo + " without client_id or id_token_hint",
        TestName = "A_post_logout_redirect_uri_without_a_known_client_is_refused")]
    public async Task Untrusted_return_addresses_are_refused(string returnTo, string? clientId, string reason)
    {
        var pairs = new List<(string, string)> { ("post_logout_redirect_uri", returnTo) };
        if (clientId is not null)
        {
            pairs.Add(("client_id", clientId));
        }

        LogoutResult result = await _logout.StartAsync(_fixture.Organization, ProtocolParameters.From([.. pairs]), null, CancellationToken.None);

        Assert.That((result.Kind, result.Refusal), Is.EqualTo((LogoutResultKind.Refuse, LogoutRefusal.InvalidRequest)));
        InteractionEvent refused = result.Events.Single();
        Assert.That((refused.Type, refused.Success, refused.ClientId), Is.EqualTo(("logout.refused", false, clientId)));
        Assert.That(refused.Detail, Is.EqualTo(new[] { ("reason", (string?)reason) }));
    }

    [Test]
    public async Task A_hint_for_another_client_than_client_id_is_refused()
    {
        LogoutResult result = await _logout.StartAsync(
            _fixture.Organization, Parameters(("id_token_hint", IdTokenFor("s", audience: "other")), ("client_id", "wiki")), null, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(LogoutResultKind.Refuse));
        Assert.That(result.Events.Single().Detail[0].Value, Is.EqualTo("id_token_hint is not an ID token this organisation signed"), "its audience is no client of this organisation");
    }

    [Test]
    public async Task An_expired_hint_still_names_the_client()
    {
        string hint = IdTokenFor("s");
        _fixture.Clock.Advance(TimeSpan.FromDays(2));

        LogoutResult result = await _logout.StartAsync(_fixture.Organization, Parameters(("id_token_hint", hint), ("post_logout_redirect_uri", ReturnTo)), null, CancellationToken.None);

        Assert.That((result.Kind, result.ReturnLocation), Is.EqualTo((LogoutResultKind.Finish, (string?)ReturnTo)));
    }

    // Issue 16: the audience is read before the signature is checked, so from text anyone can write; one escaping a
    // lone surrogate is valid JSON that no .NET string can hold, and reading it threw.
    [TestCase("{\"aud\":\"\\ud800\"}")]
    [TestCase("{\"aud\":\"wiki\\udc00\"}")]
    public async Task A_hint_whose_audience_is_no_readable_string_is_refused_as_unsigned(string payload)
    {
        string hint = "eyJhbGciOiJSUzI1NiJ9." + Base64UrlEncoding.Encode(Encoding.UTF8.GetBytes(payload)) + ".c2ln";

        LogoutResult result = await _logout.StartAsync(_fixture.Organization, Parameters(("id_token_hint", hint)), null, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(LogoutResultKind.Refuse));
        Assert.That(result.Events.Single().Detail[0].Value, Is.EqualTo("id_token_hint is not an ID token this organisation signed"));
    }
}
