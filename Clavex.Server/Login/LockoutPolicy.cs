namespace Clavex.Server.Login;

/// <summary>
/// Temporary account lockout against online password guessing (OWASP Authentication Cheat Sheet, "Account
/// Lockout"): after <see cref="MaxConsecutiveFailures"/> wrong passwords in a row the account is locked for
/// <see cref="LockDuration"/>; a right password clears the count. The lock is temporary because a permanent one would
/// let anyone who knows a username shut its owner out; an admin can lift it early.
/// </summary>
/// <remarks>
/// While locked, the stored hash is not verified at all, so a right guess cannot be told from a wrong one and the
/// lock cannot be guessed through. The login page answers exactly as for a wrong password, and the same Argon2id
/// work is still done (against the dummy hash), so neither the page nor its timing tells an attacker that an account
/// exists and is locked. Only the audit log says <c>locked</c>. Nor does the database work: every failed sign-in answers
/// after the same one username lookup, and <see cref="LoginAttempts"/> counts a wrong password after the answer.
/// </remarks>
public static class LockoutPolicy
{
    public const int MaxConsecutiveFailures = 10;

    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(15);
}
