namespace Clavex.Core.Interaction;

/// <summary>
/// Temporary account lockout against online password guessing (OWASP Authentication Cheat Sheet, "Account
/// Lockout"): after <see cref="MaxConsecutiveFailures"/> wrong passwords within one run (from its first failure to
/// <see cref="FailureWindow"/> later; a failure after that starts a new run) the account is locked for
/// <see cref="LockDuration"/>; a right password clears the count. The host throttles each client address to fewer
/// failures per window than that, so one address alone cannot lock an account. The lock is temporary because a permanent one would
/// let anyone who knows a username shut its owner out; an admin can lift it early.
/// </summary>
/// <remarks>
/// While locked, the stored hash is not verified at all, so a right guess cannot be told from a wrong one and the
/// lock cannot be guessed through. The login page answers exactly as for a wrong password, and the same password-hash
/// work is still done (against the dummy hash), so neither the page nor its timing tells an attacker that an account
/// exists and is locked. Only the audit log says <c>locked</c>. Nor does the database work: every failed sign-in
/// (unknown user, wrong password, locked, disabled) answers after the same username lookup and the same one
/// statement keyed by the username (<see cref="ISignInAccountStore.RecordFailedSignInAsync"/>), which matches no
/// account for an unknown name and counts only a wrong password of an enabled, unlocked user; the PostgreSQL store
/// commits it without waiting for the WAL flush, so a matched row costs about what an unmatched one does. The count
/// and the lock change in that statement under the row lock, so parallel guesses cannot count past the lock: at most
/// <see cref="MaxConsecutiveFailures"/> wrong passwords are checked against the hash before it, and once the last one
/// commits every later attempt reads the lock (or its statement finds it, and is audited <c>locked</c>).
/// </remarks>
public static class LockoutPolicy
{
    public const int MaxConsecutiveFailures = 10;

    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(15);

    /// <summary>How long a run of failures counts towards the lock.</summary>
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);
}
