using Clavex.Core.Users;

namespace Clavex.Core.Stores.InMemory;

/// <summary>Users held in memory, for embedders and tests. Each user belongs to its <see cref="User.OrganizationId"/>.</summary>
public sealed class InMemoryUserStore : IUserStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(long OrganizationId, string Subject), User> _users = [];

    /// <summary>Adds a user; a subject is assigned once, so adding it again throws.</summary>
    public void Add(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_lock)
        {
            if (!_users.TryAdd((user.OrganizationId, user.Subject), user))
            {
                throw new InvalidOperationException($"Organisation {user.OrganizationId} already has a user '{user.Subject}'.");
            }
        }
    }

    /// <summary>Replaces a user's attributes; replacing one that was never added throws.</summary>
    public void Replace(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_lock)
        {
            var key = (user.OrganizationId, user.Subject);
            if (!_users.ContainsKey(key))
            {
                throw new InvalidOperationException($"Organisation {user.OrganizationId} has no user '{user.Subject}' to replace.");
            }

            _users[key] = user;
        }
    }

    public ValueTask<User?> FindBySubjectAsync(long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        lock (_lock)
        {
            return ValueTask.FromResult(_users.GetValueOrDefault((organizationId, subject)));
        }
    }
}
