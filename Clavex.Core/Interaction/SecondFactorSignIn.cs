using System.Globalization;
using Clavex.Core.Factors;
using Clavex.Core.Protocol;

namespace Clavex.Core.Interaction;

/// <summary>
/// The second factor of a sign-in: an authenticator app's code (RFC 6238, each accepted once) or a recovery code,
/// and the enrolment of an authenticator app when the user has none. Wrong codes are counted and lock the account
/// like wrong passwords (<see cref="LockoutPolicy"/>), on a count of their own that a right password does not clear.
/// </summary>
public sealed class SecondFactorSignIn(ISecondFactorStore factors, TimeProvider timeProvider)
{
    public Task<SecondFactorAccount?> FindAsync(Organization organization, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return factors.FindAsync(organization.Id, subject, cancellationToken);
    }

    /// <summary>
    /// Checks a code typed on the second-factor page: six digits are an authenticator code, anything else is tried as a
    /// recovery code.
    /// </summary>
    public async Task<SecondFactorResult> VerifyAsync(
        Organization organization, string clientId, string subject, string? code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        DateTimeOffset now = timeProvider.GetUtcNow();
        var events = new List<InteractionEvent>(2);
        SecondFactorAccount? account = await factors.FindAsync(organization.Id, subject, cancellationToken);
        if (account is not { Enabled: true } || account.LockedUntil > now || !account.HasAnyFactor)
        {
            string reason = account is null || !account.Enabled ? SignInFailureReasons.Disabled
                : account.LockedUntil > now ? SignInFailureReasons.Locked
                : SecondFactorFailureReasons.NoFactor;
            events.Add(Failed(clientId, subject, reason));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events, Locked: reason == SignInFailureReasons.Locked);
        }

        string? recoveryCode = LooksLikeTotp(code) ? null : RecoveryCodes.Normalize(code);
        if (recoveryCode is null)
        {
            if (!account.HasTotp || (organization.SignInPolicy.AllowedFactors & FactorKinds.Totp) == 0)
            {
                return await FailAsync(organization, clientId, account, SecondFactorFailureReasons.WrongCode, now, events, cancellationToken);
            }

            long? step = Totp.Verify(account.Totp!.Secret, code, now, account.Totp.LastUsedStep);
            if (step is long accepted && await factors.RecordTotpUseAsync(organization.Id, subject, accepted, now, cancellationToken))
            {
                events.Add(Succeeded(clientId, subject, "totp"));
                return new SecondFactorResult(SecondFactorOutcome.Accepted, events);
            }

            // A code of a step already used (or used by a concurrent request a moment ago) is a replay, not a typo.
            string reason = step is null && Totp.Verify(account.Totp.Secret, code, now, long.MinValue) is null
                ? SecondFactorFailureReasons.WrongCode
                : SecondFactorFailureReasons.Replayed;
            return await FailAsync(organization, clientId, account, reason, now, events, cancellationToken);
        }

        int? left = await factors.UseRecoveryCodeAsync(organization.Id, subject, RecoveryCodes.Hash(recoveryCode), now, cancellationToken);
        if (left is int remaining)
        {
            events.Add(Succeeded(clientId, subject, "recovery_code"));
            events.Add(new InteractionEvent("mfa.recovery_code_used", true, clientId, subject,
                ("recovery_codes_left", remaining.ToString(CultureInfo.InvariantCulture))));
            return new SecondFactorResult(SecondFactorOutcome.Accepted, events, RecoveryCodesLeft: remaining);
        }

        return await FailAsync(organization, clientId, account, SecondFactorFailureReasons.WrongRecoveryCode, now, events, cancellationToken);
    }

    /// <summary>
    /// The unconfirmed authenticator to show on the enrolment page: the one begun before (so a reload shows the same
    /// QR code), or a new one. Null when the user already has a confirmed one or does not exist.
    /// </summary>
    public async Task<byte[]?> BeginEnrolmentAsync(Organization organization, SecondFactorAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(account);
        if (account.Totp is { Confirmed: false } pending)
        {
            return pending.Secret;
        }

        byte[] secret = Totp.NewSecret();
        return await factors.BeginTotpAsync(organization.Id, account.Subject, secret, timeProvider.GetUtcNow(), cancellationToken) ? secret : null;
    }

    /// <summary>
    /// The first code from the app being enrolled: confirms it and issues ten new recovery codes (returned in the
    /// clear this once, stored only hashed).
    /// </summary>
    public async Task<SecondFactorResult> ConfirmEnrolmentAsync(
        Organization organization, string clientId, string subject, string? code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        DateTimeOffset now = timeProvider.GetUtcNow();
        var events = new List<InteractionEvent>(2);
        SecondFactorAccount? account = await factors.FindAsync(organization.Id, subject, cancellationToken);
        if (account is not { Enabled: true } || account.LockedUntil > now || account.Totp is not { Confirmed: false } pending)
        {
            string reason = account is null || !account.Enabled ? SignInFailureReasons.Disabled
                : account.LockedUntil > now ? SignInFailureReasons.Locked
                : SecondFactorFailureReasons.NoEnrolment;
            events.Add(new InteractionEvent("mfa.enrolment_failed", false, clientId, subject, ("reason", reason)));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events, Locked: reason == SignInFailureReasons.Locked);
        }

        if (Totp.Verify(pending.Secret, code, now, 0) is not long step)
        {
            return await FailAsync(organization, clientId, account, SecondFactorFailureReasons.WrongCode, now, events, cancellationToken);
        }

        // A user who already has a passkey keeps the recovery codes that came with it.
        IReadOnlyList<string>? codes = account.HasPasskey ? null : RecoveryCodes.Generate();
        if (!await factors.ConfirmTotpAsync(organization.Id, subject, step, codes is null ? null : RecoveryCodes.HashAll(codes), now, cancellationToken))
        {
            events.Add(new InteractionEvent("mfa.enrolment_failed", false, clientId, subject, ("reason", SecondFactorFailureReasons.NoEnrolment)));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events);
        }

        events.Add(new InteractionEvent("mfa.enrolled", true, clientId, subject, ("factor", "totp")));
        events.Add(Succeeded(clientId, subject, "totp"));
        return new SecondFactorResult(SecondFactorOutcome.Accepted, events, RecoveryCodesLeft: codes?.Count ?? account.RecoveryCodesLeft, NewRecoveryCodes: codes);
    }

    private async Task<SecondFactorResult> FailAsync(
        Organization organization, string clientId, SecondFactorAccount account, string reason, DateTimeOffset now,
        List<InteractionEvent> events, CancellationToken cancellationToken)
    {
        events.Add(Failed(clientId, account.Subject, reason));
        bool locked = await CountFailureAsync(factors, organization, clientId, account.Subject, now, events, cancellationToken);
        return new SecondFactorResult(SecondFactorOutcome.Rejected, events, Locked: locked);
    }

    /// <summary>
    /// Counts a wrong second factor (a code or a passkey) towards the lockout; at the limit adds <c>login.locked</c> to
    /// <paramref name="events"/>. Whether the account is now locked.
    /// </summary>
    internal static async Task<bool> CountFailureAsync(
        ISecondFactorStore factors, Organization organization, string clientId, string subject, DateTimeOffset now, List<InteractionEvent> events,
        CancellationToken cancellationToken)
    {
        FailedSignIn recorded = await factors.RecordFailedCodeAsync(
            organization.Id, subject, LockoutPolicy.MaxConsecutiveFailures, now, now + LockoutPolicy.LockDuration, cancellationToken);
        if (recorded.StartedLock)
        {
            events.Add(new InteractionEvent("login.locked", false, clientId, subject,
                ("locked_until", recorded.LockedUntil!.Value.ToString("O", CultureInfo.InvariantCulture)),
                ("failures", LockoutPolicy.MaxConsecutiveFailures.ToString(CultureInfo.InvariantCulture)),
                ("factor", "second_factor")));
        }

        return recorded.LockedUntil is not null;
    }

    private static bool LooksLikeTotp(string? code)
    {
        if (code is null)
        {
            return true;
        }

        int digits = 0;
        foreach (char c in code)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c != ' ')
            {
                return false;
            }
        }

        return digits <= Totp.Digits + 2;
    }

    private static InteractionEvent Succeeded(string clientId, string subject, string method) =>
        new("mfa.succeeded", true, clientId, subject, ("method", method));

    private static InteractionEvent Failed(string clientId, string subject, string reason) =>
        new("mfa.failed", false, clientId, subject, ("reason", reason));
}

/// <summary>How a second-factor attempt ended.</summary>
public enum SecondFactorOutcome
{
    /// <summary>The code was right: the session gains the factor.</summary>
    Accepted,

    /// <summary>The code was wrong (or replayed): counted, and the page is shown again.</summary>
    Rejected,

    /// <summary>Nothing to check against (no factor, no enrolment) or the account is locked or disabled.</summary>
    Refused,
}

/// <summary>
/// The outcome of a second factor (a code, a passkey, or an enrolment), the events to audit, whether the account is
/// now locked, how many recovery codes are left, and after a first enrolment the new recovery codes to show once. For
/// a passkey also the user (for a username-less sign-in, the one the credential named) and the key's RFC 8176 method.
/// </summary>
public sealed record SecondFactorResult(
    SecondFactorOutcome Outcome,
    IReadOnlyList<InteractionEvent> Events,
    bool Locked = false,
    int? RecoveryCodesLeft = null,
    IReadOnlyList<string>? NewRecoveryCodes = null,
    string? Subject = null,
    string? Method = null)
{
    public bool Accepted => Outcome == SecondFactorOutcome.Accepted;

    public override string ToString() => $"SecondFactorResult {{ Outcome = {Outcome}, Locked = {Locked} }}";
}

/// <summary>The <c>reason</c> of a <c>mfa.failed</c> event.</summary>
public static class SecondFactorFailureReasons
{
    public const string WrongCode = "wrong_code";
    public const string Replayed = "replayed_code";
    public const string WrongRecoveryCode = "wrong_recovery_code";
    public const string NoFactor = "no_factor";
    public const string NoEnrolment = "no_enrolment";
    public const string EnrolmentRequired = "enrolment_required";
}
