using Clavex.Core.Users;

namespace Clavex.Core.Stores;

/// <summary>
/// A user a store read in the same round trip as a code redemption or refresh rotation, so the token endpoint does
/// not go back to the database for it. <see cref="User"/> is null when the user no longer exists. A store that cannot
/// join the user leaves the result's <c>User</c> unset, and the grant reads it from <see cref="IUserStore"/>.
/// </summary>
public sealed record IncludedUser(User? User)
{
    /// <summary>The included user if the store supplied one, otherwise the user read from <paramref name="users"/>.</summary>
    public static ValueTask<User?> ResolveAsync(IncludedUser? included, IUserStore users, long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        return included is not null ? ValueTask.FromResult(included.User) : users.FindBySubjectAsync(organizationId, subject, cancellationToken);
    }
}
