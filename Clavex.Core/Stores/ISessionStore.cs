using Clavex.Core.Sessions;

namespace Clavex.Core.Stores;

/// <summary>
/// Provider sessions. A session is found by the SHA-256 of the secret the browser holds (its cookie), never by its
/// public <see cref="AuthenticationSession.Id"/>: that id is the <c>sid</c> claim relying parties see, and knowing it
/// must not be enough to take the session over.
/// </summary>
public interface ISessionStore
{
    Task CreateAsync(AuthenticationSession session, byte[] secretHash, CancellationToken cancellationToken);

    /// <summary>The session if it exists and has not expired at <paramref name="now"/>.</summary>
    Task<AuthenticationSession?> FindBySecretAsync(long organizationId, byte[] secretHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task DeleteAsync(long organizationId, string sessionId, CancellationToken cancellationToken);

    Task<int> DeleteAllForSubjectAsync(long organizationId, string subject, CancellationToken cancellationToken);
}
