using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Users;

namespace Clavex.Core.Interaction;

/// <summary>
/// Provider sessions as the browser holds them: a random secret (the host keeps it in a cookie), stored only as its
/// SHA-256 (<see cref="ISessionStore"/>).
/// </summary>
public sealed class BrowserSessions(ISessionStore sessions, IUserStore users, TimeProvider timeProvider)
{
    /// <summary>How long a provider session lasts after a login.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>The session the browser's secret names, if it exists, has not expired and its user is enabled.</summary>
    public async Task<AuthenticationSession?> FindCurrentAsync(Organization organization, string? secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        if (secret is null)
        {
            return null;
        }

        AuthenticationSession? session = await sessions.FindBySecretAsync(organization.Id, OpaqueToken.Hash(secret), timeProvider.GetUtcNow(), cancellationToken);
        if (session is null)
        {
            return null;
        }

        // A disabled user's session no longer counts, even before the admin API ends it. A store that read the user's
        // state with the session has answered already; otherwise the user is looked up.
        if (session.UserEnabled is bool enabled)
        {
            return enabled ? session : null;
        }

        User? user = await users.FindBySubjectAsync(organization.Id, session.Subject, cancellationToken);
        return user is { Enabled: true } ? session : null;
    }

    /// <summary>
    /// Starts a session for <paramref name="subject"/>, ending the one <paramref name="replacedSecret"/> names: a new
    /// secret and id at every login and at every second factor, so a secret planted before it is worth nothing after
    /// (session fixation), and a session gains a factor only by being replaced.
    /// </summary>
    public async Task<StartedSession> StartAsync(
        Organization organization, string subject, IReadOnlyList<string> amr, string? replacedSecret, CancellationToken cancellationToken,
        string? acr = null, bool secondFactorPending = false)
    {
        ArgumentNullException.ThrowIfNull(organization);
        if (replacedSecret is not null
            && await sessions.FindBySecretAsync(organization.Id, OpaqueToken.Hash(replacedSecret), timeProvider.GetUtcNow(), cancellationToken) is { } old)
        {
            await sessions.DeleteAsync(organization.Id, old.Id, cancellationToken);
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        string secret = OpaqueToken.New(OpaqueToken.SecretBytes);
        var session = new AuthenticationSession
        {
            OrganizationId = organization.Id,
            Id = OpaqueToken.New(OpaqueToken.IdentifierBytes),
            Subject = subject,
            AuthTime = now,
            Amr = amr,
            Acr = acr,
            SecondFactorPending = secondFactorPending,
            ExpiresAt = now + Lifetime,
        };
        await sessions.CreateAsync(session, OpaqueToken.Hash(secret), cancellationToken);
        return new StartedSession(session, secret);
    }

    public Task EndAsync(AuthenticationSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return sessions.DeleteAsync(session.OrganizationId, session.Id, cancellationToken);
    }
}

/// <summary>A session just started, and the secret the browser must hold from now on (never stored as is).</summary>
public sealed record StartedSession(AuthenticationSession Session, string Secret)
{
    public override string ToString() => $"StartedSession {{ Id = {Session.Id}, Subject = {Session.Subject} }}";
}
