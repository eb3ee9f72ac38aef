namespace Clavex.Core.Interaction;

/// <summary>The accounts a password sign-in reads and the failure count it keeps (<see cref="LockoutPolicy"/>).</summary>
public interface ISignInAccountStore
{
    /// <summary>The user whose username is <paramref name="username"/> regardless of case, disabled or not.</summary>
    Task<UserCredentials?> FindByUsernameAsync(long organizationId, string username, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed sign-in of <paramref name="username"/> (which may name no user) in one statement: when
    /// <paramref name="count"/> and the user is still unlocked, one more consecutive failure, and at the
    /// <paramref name="maxFailures"/>th the user is locked until <paramref name="lockedUntil"/>. Unknown and existing
    /// users must cost the same work.
    /// </summary>
    Task<FailedSignIn> RecordFailedSignInAsync(
        long organizationId, string username, bool count, int maxFailures, DateTimeOffset now, DateTimeOffset lockedUntil, CancellationToken cancellationToken);

    /// <summary>Clears the failure count after a right password; false when the user is locked (by a concurrent attempt).</summary>
    Task<bool> RecordSuccessfulPasswordAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Replaces the user's password hash (a rehash at stronger parameters).</summary>
    Task UpdatePasswordHashAsync(long organizationId, string subject, string passwordHash, CancellationToken cancellationToken);
}
