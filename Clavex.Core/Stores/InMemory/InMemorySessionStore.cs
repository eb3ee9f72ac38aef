using Clavex.Core.Sessions;

namespace Clavex.Core.Stores.InMemory;

/// <summary>Sessions held in memory; an expired session is dropped when it is next looked up.</summary>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(long OrganizationId, string Id), AuthenticationSession> _sessions = [];
    private readonly Dictionary<(long OrganizationId, string SecretHash), string> _idsBySecret = [];

    public Task CreateAsync(AuthenticationSession session, byte[] secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(secretHash);
        lock (_lock)
        {
            // Session ids and secrets are random; a collision means the caller reused one.
            if (_idsBySecret.ContainsKey((session.OrganizationId, Convert.ToHexString(secretHash)))
                || !_sessions.TryAdd((session.OrganizationId, session.Id), session))
            {
                throw new InvalidOperationException($"Organisation {session.OrganizationId} already has a session with this id or secret.");
            }

            _idsBySecret.Add((session.OrganizationId, Convert.ToHexString(secretHash)), session.Id);
        }

        return Task.CompletedTask;
    }

    public Task<AuthenticationSession?> FindBySecretAsync(long organizationId, byte[] secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secretHash);
        lock (_lock)
        {
            var secretKey = (organizationId, Convert.ToHexString(secretHash));
            if (!_idsBySecret.TryGetValue(secretKey, out string? id) || !_sessions.TryGetValue((organizationId, id), out AuthenticationSession? session))
            {
                _idsBySecret.Remove(secretKey);
                return Task.FromResult<AuthenticationSession?>(null);
            }

            if (now >= session.ExpiresAt)
            {
                _sessions.Remove((organizationId, id));
                _idsBySecret.Remove(secretKey);
                return Task.FromResult<AuthenticationSession?>(null);
            }

            return Task.FromResult<AuthenticationSession?>(session);
        }
    }

    public Task DeleteAsync(long organizationId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        lock (_lock)
        {
            _sessions.Remove((organizationId, sessionId));
        }

        return Task.CompletedTask;
    }

    public Task<int> DeleteAllForSubjectAsync(long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        lock (_lock)
        {
            int deleted = 0;
            foreach (KeyValuePair<(long OrganizationId, string Id), AuthenticationSession> entry in _sessions)
            {
                // Removing the current entry while enumerating is allowed for Dictionary since .NET Core 3.0.
                if (entry.Key.OrganizationId == organizationId && string.Equals(entry.Value.Subject, subject, StringComparison.Ordinal))
                {
                    _sessions.Remove(entry.Key);
                    deleted++;
                }
            }

            return Task.FromResult(deleted);
        }
    }
}
