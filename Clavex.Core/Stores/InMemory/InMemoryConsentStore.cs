namespace Clavex.Core.Stores.InMemory;

/// <summary>Consent held in memory: per organisation, user and client, the set of scopes consented to.</summary>
public sealed class InMemoryConsentStore : IConsentStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(long OrganizationId, string Subject, string ClientId), HashSet<string>> _consents = [];

    public ValueTask<bool> HasConsentAsync(long organizationId, string subject, string clientId, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(scopes);
        lock (_lock)
        {
            if (!_consents.TryGetValue((organizationId, subject, clientId), out HashSet<string>? granted))
            {
                return ValueTask.FromResult(scopes.Count == 0);
            }

            for (int i = 0; i < scopes.Count; i++)
            {
                if (!granted.Contains(scopes[i]))
                {
                    return ValueTask.FromResult(false);
                }
            }

            return ValueTask.FromResult(true);
        }
    }

    public Task GrantAsync(long organizationId, string subject, string clientId, IReadOnlyList<string> scopes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(scopes);
        lock (_lock)
        {
            var key = (organizationId, subject, clientId);
            if (!_consents.TryGetValue(key, out HashSet<string>? granted))
            {
                granted = new HashSet<string>(StringComparer.Ordinal);
                _consents.Add(key, granted);
            }

            granted.UnionWith(scopes);
        }

        return Task.CompletedTask;
    }
}
