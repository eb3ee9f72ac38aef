using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Users;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;

namespace Clavex.Tests.Interaction;

/// <summary>
/// The browser half through the core alone, on in-memory stores: what each step of an interaction decides, the
/// session it starts and the events it asks the host to audit.
/// </summary>
public sealed class SignInInteractionTests
{
    private const string AlicePassword = "correct horse battery staple";

    private ProtocolFixture _fixture = null!;
    private InMemorySessionStore _sessions = null!;
    private InMemoryConsentStore _consents = null!;
    private Accounts _accounts = null!;
    private SignInInteraction _interaction = null!;

    [SetUp]
    public void CreateInteraction()
    {
        _fixture = new ProtocolFixture();
        _sessions = new InMemorySessionStore();
        _consents = new InMemoryConsentStore();
        _accounts = new Accounts(_fixture.Alice(), "hash:" + AlicePassword);
        var sessions = new BrowserSessions(_sessions, _fixture.Users, _fixture.Clock);
        _interaction = new SignInInteraction(
            _fixture.Validator, _fixture.CodeIssuer, sessions, _consents, new PasswordSignIn(_accounts, new PrefixVerifier(), _fixture.Clock), _fixture.Clock);
    }

    private static ProtocolParameters Jira(params (string, string)[] extra) => ProtocolParameters.From([.. JiraAuthorizeRequest(), .. extra]);

    [Test]
    public async Task Authorize_without_a_session_shows_the_login_page_and_audits_nothing()
    {
        InteractionResult result = await _interaction.AuthorizeAsync(_fixture.Organization, Jira(), null, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(InteractionResultKind.ShowLogin));
        Assert.That(result.CredentialsRejected, Is.False);
        Assert.That(result.Events, Is.Empty);
    }

    [Test]
    public async Task The_right_password_starts_a_password_session_and_issues_the_code()
    {
        InteractionResult result = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), " alice ", AlicePassword, null, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(InteractionResultKind.Deliver));
        Assert.That(result.Response!.ToQueryRedirectUrl(), Does.StartWith(JiraCallback + "?code="));
        Assert.That(result.StartedSession!.Session.Subject, Is.EqualTo(AliceSubject));
        Assert.That(result.StartedSession.Session.Amr, Is.EqualTo(new[] { "pwd" }));
        Assert.That(result.StartedSession.Session.ExpiresAt, Is.EqualTo(_fixture.Clock.GetUtcNow() + BrowserSessions.Lifetime));
        Assert.That(result.Events.Select(e => e.Type), Is.EqualTo(new[] { "login.succeeded", "authorize.code_issued" }));
        Assert.That(_accounts.Successes, Is.EqualTo(1));
    }

    [Test]
    public async Task A_wrong_password_shows_the_login_page_again_and_audits_the_reason()
    {
        InteractionResult result = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "alice", "guess", null, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(InteractionResultKind.ShowLogin));
        Assert.That(result.CredentialsRejected, Is.True);
        Assert.That(result.StartedSession, Is.Null);
        InteractionEvent failed = result.Events.Single();
        Assert.That((failed.Type, failed.Success, failed.Subject), Is.EqualTo(("login.failed", false, AliceSubject)));
        Assert.That(failed.Detail, Is.EqualTo(new (string, string?)[] { ("reason", "wrong_password"), ("username", "alice") }));
    }

    [Test]
    public async Task The_failure_that_reaches_the_limit_locks_the_account_and_says_so_before_the_failure()
    {
        for (int i = 1; i < LockoutPolicy.MaxConsecutiveFailures; i++)
        {
            await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "alice", "guess", null, CancellationToken.None);
        }

        InteractionResult last = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "alice", "guess", null, CancellationToken.None);
        InteractionResult right = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "alice", AlicePassword, null, CancellationToken.None);

        Assert.That(last.Events.Select(e => e.Type), Is.EqualTo(new[] { "login.locked", "login.failed" }));
        Assert.That(right.CredentialsRejected, Is.True, "a locked account refuses even the right password");
        Assert.That(right.Events.Single().Detail[0], Is.EqualTo(("reason", (string?)"locked")));
    }

    [Test]
    public async Task An_unknown_username_fails_like_a_wrong_password_but_audits_unknown_user()
    {
        InteractionResult result = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "mallory", "guess", null, CancellationToken.None);

        Assert.That(result.CredentialsRejected, Is.True);
        Assert.That(result.Events.Single().Detail[0], Is.EqualTo(("reason", (string?)"unknown_user")));
        Assert.That(_accounts.RecordedFailures, Is.EqualTo(new[] { ("mallory", false) }));
    }

    [Test]
    public async Task A_login_ends_the_session_the_browser_held_before_it()
    {
        InteractionResult first = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "alice", AlicePassword, null, CancellationToken.None);
        string planted = first.StartedSession!.Secret;

        InteractionResult second = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "alice", AlicePassword, planted, CancellationToken.None);
        InteractionResult withOld = await _interaction.AuthorizeAsync(_fixture.Organization, Jira(), planted, CancellationToken.None);

        Assert.That(second.StartedSession!.Secret, Is.Not.EqualTo(planted));
        Assert.That(withOld.Kind, Is.EqualTo(InteractionResultKind.ShowLogin));
    }

    [Test]
    public async Task Consent_denied_sends_access_denied_to_the_client()
    {
        InteractionResult login = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(("prompt", "consent")), "alice", AlicePassword, null, CancellationToken.None);
        Assert.That(login.Kind, Is.EqualTo(InteractionResultKind.ShowConsent));

        InteractionResult denied = await _interaction.SubmitConsentAsync(
            _fixture.Organization, Jira(("prompt", "consent")), allowed: false, login.StartedSession!.Secret, CancellationToken.None);

        Assert.That(denied.Kind, Is.EqualTo(InteractionResultKind.Deliver));
        Assert.That(denied.Response!.ToQueryRedirectUrl(), Does.StartWith(JiraCallback + "?error=access_denied&"));
        Assert.That(denied.Events.Single().Type, Is.EqualTo("consent.denied"));
    }

    [Test]
    public async Task Consent_given_is_recorded_and_the_code_issued()
    {
        InteractionResult login = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(("prompt", "consent")), "alice", AlicePassword, null, CancellationToken.None);

        InteractionResult given = await _interaction.SubmitConsentAsync(
            _fixture.Organization, Jira(("prompt", "consent")), allowed: true, login.StartedSession!.Secret, CancellationToken.None);

        Assert.That(given.Response!.ToQueryRedirectUrl(), Does.StartWith(JiraCallback + "?code="));
        Assert.That(given.Events.Select(e => e.Type), Is.EqualTo(new[] { "consent.given", "authorize.code_issued" }));
        Assert.That(await _consents.HasConsentAsync(1, AliceSubject, "atlassian", ["openid", "profile", "email", "groups"], CancellationToken.None), Is.True);
    }

    [Test]
    public async Task A_request_naming_an_unknown_client_is_rejected_without_a_redirect()
    {
        InteractionResult result = await _interaction.AuthorizeAsync(
            _fixture.Organization, ProtocolParameters.From([("response_type", "code"), ("client_id", "nobody"), ("redirect_uri", JiraCallback), ("scope", "openid")]), null, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(InteractionResultKind.Reject));
        Assert.That(result.Events.Single().Type, Is.EqualTo("authorize.rejected"));
    }

    [Test]
    public async Task A_disabled_users_session_no_longer_counts()
    {
        InteractionResult login = await _interaction.SubmitPasswordAsync(_fixture.Organization, Jira(), "alice", AlicePassword, null, CancellationToken.None);
        User alice = _fixture.Alice();
        _fixture.Users.Replace(new User { OrganizationId = alice.OrganizationId, Subject = alice.Subject, Username = alice.Username, Enabled = false });

        InteractionResult result = await _interaction.AuthorizeAsync(_fixture.Organization, Jira(), login.StartedSession!.Secret, CancellationToken.None);

        Assert.That(result.Kind, Is.EqualTo(InteractionResultKind.ShowLogin));
    }

    /// <summary>A stored hash is "hash:" + the password; null is the dummy, which always fails.</summary>
    private sealed class PrefixVerifier : IPasswordVerifier
    {
        public ValueTask<PasswordVerification> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken) =>
            ValueTask.FromResult(storedHash == "hash:" + password ? PasswordVerification.Succeeded : PasswordVerification.Failed);

        public ValueTask<string> HashAsync(string password, CancellationToken cancellationToken) => ValueTask.FromResult("hash:" + password);
    }

    /// <summary>One account with the lockout counting of <see cref="ISignInAccountStore"/>.</summary>
    private sealed class Accounts(User user, string hash) : ISignInAccountStore
    {
        private int _failures;
        private DateTimeOffset? _lockedUntil;

        public int Successes { get; private set; }

        public List<(string Username, bool Count)> RecordedFailures { get; } = [];

        public Task<UserCredentials?> FindByUsernameAsync(long organizationId, string username, CancellationToken cancellationToken) =>
            Task.FromResult(string.Equals(username, user.Username, StringComparison.OrdinalIgnoreCase) ? new UserCredentials(user, hash, _lockedUntil) : null);

        public Task<FailedSignIn> RecordFailedSignInAsync(
            long organizationId, string username, bool count, int maxFailures, DateTimeOffset now, DateTimeOffset lockedUntil, CancellationToken cancellationToken)
        {
            RecordedFailures.Add((username, count));
            if (!string.Equals(username, user.Username, StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(default(FailedSignIn));
            }

            bool started = false;
            if (count && !(_lockedUntil > now) && ++_failures >= maxFailures)
            {
                _lockedUntil = lockedUntil;
                started = true;
            }

            return Task.FromResult(new FailedSignIn(_lockedUntil > now ? _lockedUntil : null, started));
        }

        public Task<bool> RecordSuccessfulPasswordAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken)
        {
            Successes++;
            _failures = 0;
            return Task.FromResult(true);
        }

        public Task UpdatePasswordHashAsync(long organizationId, string subject, string passwordHash, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
