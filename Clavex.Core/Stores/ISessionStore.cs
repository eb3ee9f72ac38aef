using Clavex.Core.Sessions;

namespace Clavex.Core.Stores;

public interface ISessionStore
{
    Task CreateAsync(AuthenticationSession session, CancellationToken cancellationToken);

    /// <summary>The session if it exists and has not expired at <paramref name="now"/>.</summary>
    Task<AuthenticationSession?> FindAsync(long organizationId, string sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    Task DeleteAsync(long organizationId, string sessionId, CancellationToken cancellationToken);

    Task<int> DeleteAllForSubjectAsync(long organizationId, string subject, CancellationToken cancellationToken);
}
