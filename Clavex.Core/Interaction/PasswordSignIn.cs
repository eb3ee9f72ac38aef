using System.Globalization;
using Clavex.Core.Protocol;
using Clavex.Core.Users;

namespace Clavex.Core.Interaction;

/// <summary>
/// A sign-in with username and password: the credential check, the lockout (<see cref="LockoutPolicy"/>), and a
/// rehash when the stored hash is weaker than today's parameters. Every failure looks the same from outside: the same
/// page, the same hash work and the same one database statement; only the audit events say why.
/// </summary>
public sealed class PasswordSignIn(ISignInAccountStore accounts, IPasswordVerifier verifier, TimeProvider timeProvider)
{
    /// <summary>Longer names are not looked up (nor recorded): no user can have one.</summary>
    public const int MaxUsernameLength = 256;

    /// <summary>The RFC 8176 method a password sign-in adds to the session.</summary>
    public const string PasswordMethod = Factors.AuthenticationMethods.Password;

    public async Task<PasswordSignInResult> AttemptAsync(
        Organization organization, string clientId, string? username, string? password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        username = (username ?? string.Empty).Trim();
        password ??= string.Empty;

        // A name no user can have is not looked up, nor recorded: its failure reveals nothing.
        bool plausible = username.Length is > 0 and <= MaxUsernameLength;
        UserCredentials? account = plausible ? await accounts.FindByUsernameAsync(organization.Id, username, cancellationToken) : null;
        DateTimeOffset now = timeProvider.GetUtcNow();
        bool locked = account?.LockedUntil > now;
        // A locked account's hash is not verified, but the dummy costs the same, so timing does not reveal the lock.
        PasswordVerification verification = await verifier.VerifyAsync(password, locked ? null : account?.PasswordHash, cancellationToken);

        string? reason = account is null ? SignInFailureReasons.UnknownUser
            : locked ? SignInFailureReasons.Locked
            : verification == PasswordVerification.Failed ? SignInFailureReasons.WrongPassword
            : !account.User.Enabled ? SignInFailureReasons.Disabled
            : null;
        var events = new List<InteractionEvent>(2);
        if (reason is null && !await accounts.RecordSuccessfulPasswordAsync(organization.Id, account!.User.Subject, now, cancellationToken))
        {
            // A concurrent failure locked the account after the lookup read it: the lock wins over the right password.
            reason = SignInFailureReasons.Locked;
        }
        else if (reason is not null && plausible)
        {
            // Every failure (unknown user, wrong password, locked, disabled) runs the same one statement before the
            // answer, so the database work does not tell them apart beyond a matched or unmatched row.
            reason = await RecordFailureAsync(organization, clientId, username, account, reason, now, events, cancellationToken);
        }

        if (reason is not null)
        {
            events.Add(new InteractionEvent("login.failed", false, clientId, account?.User.Subject, ("reason", reason), ("username", username)));
            return new PasswordSignInResult(null, events);
        }

        User user = account!.User;
        if (verification == PasswordVerification.SucceededRehashNeeded)
        {
            await accounts.UpdatePasswordHashAsync(organization.Id, user.Subject, await verifier.HashAsync(password, cancellationToken), cancellationToken);
        }

        return new PasswordSignInResult(user, events);
    }

    /// <summary>
    /// Counts a wrong password of an enabled, unlocked user; returns the reason to audit, <c>locked</c> when a
    /// concurrent failure locked the user after the lookup read it unlocked.
    /// </summary>
    private async Task<string> RecordFailureAsync(
        Organization organization, string clientId, string username, UserCredentials? account, string reason, DateTimeOffset now,
        List<InteractionEvent> events, CancellationToken cancellationToken)
    {
        bool count = reason == SignInFailureReasons.WrongPassword && account!.User.Enabled;
        FailedSignIn recorded = await accounts.RecordFailedSignInAsync(
            organization.Id, username, count, LockoutPolicy.MaxConsecutiveFailures, now, now + LockoutPolicy.LockDuration, cancellationToken);
        if (recorded.StartedLock)
        {
            events.Add(new InteractionEvent("login.locked", false, clientId, account!.User.Subject,
                ("locked_until", recorded.LockedUntil!.Value.ToString("O", CultureInfo.InvariantCulture)),
                ("failures", LockoutPolicy.MaxConsecutiveFailures.ToString(CultureInfo.InvariantCulture))));
            return reason;
        }

        return count && recorded.LockedUntil is not null ? SignInFailureReasons.Locked : reason;
    }
}

/// <summary>The signed-in <see cref="User"/>, or null when the sign-in failed; the events to audit either way.</summary>
public sealed record PasswordSignInResult(User? User, IReadOnlyList<InteractionEvent> Events)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(User))]
    public bool Succeeded => User is not null;
}
