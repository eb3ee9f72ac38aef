using Clavex.Core.Users;

namespace Clavex.Core.Stores;

public interface IUserStore
{
    /// <summary>The user with its current attributes and groups, read at every issuance so changes show at once.</summary>
    ValueTask<User?> FindBySubjectAsync(long organizationId, string subject, CancellationToken cancellationToken);
}
