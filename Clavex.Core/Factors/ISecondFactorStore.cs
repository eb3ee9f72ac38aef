using Clavex.Core.Interaction;

namespace Clavex.Core.Factors;

/// <summary>
/// Users' second factors. Secrets are handed in and out in the clear; the store seals them at rest. Recovery codes
/// are only ever handed in as hashes (<see cref="RecoveryCodes.Hash"/>).
/// </summary>
public interface ISecondFactorStore
{
    /// <summary>The user and its factors, or null when there is no such user.</summary>
    Task<SecondFactorAccount?> FindAsync(long organizationId, string subject, CancellationToken cancellationToken);

    /// <summary>Stores a new unconfirmed authenticator, replacing an unconfirmed one; false when the user already has a confirmed one.</summary>
    Task<bool> BeginTotpAsync(long organizationId, string subject, byte[] secret, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Confirms the unconfirmed authenticator with the time step of its first code and, when
    /// <paramref name="recoveryCodeHashes"/> is given (the user's first factor), replaces the user's recovery codes, in one
    /// transaction; false when there is no unconfirmed authenticator (any more).
    /// </summary>
    Task<bool> ConfirmTotpAsync(
        long organizationId, string subject, long timeStep, IReadOnlyList<byte[]>? recoveryCodeHashes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Accepts a code of time step <paramref name="timeStep"/>: only when it is later than the last accepted one (so each
    /// code is used once, even by two concurrent requests), and clears the count of wrong codes. False: a replay.
    /// </summary>
    Task<bool> RecordTotpUseAsync(long organizationId, string subject, long timeStep, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks an unused recovery code used and clears the count of wrong codes; the codes left, or null when no unused code has that hash.</summary>
    Task<int?> UseRecoveryCodeAsync(long organizationId, string subject, byte[] codeHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Counts a wrong code of an enabled, unlocked user (apart from wrong passwords, which a right password clears);
    /// at the <paramref name="maxFailures"/>th the user is locked until <paramref name="lockedUntil"/>.
    /// </summary>
    Task<FailedSignIn> RecordFailedCodeAsync(
        long organizationId, string subject, int maxFailures, DateTimeOffset now, DateTimeOffset lockedUntil, CancellationToken cancellationToken);

    /// <summary>The passkey with this credential id in the organisation and the subject it belongs to, or null.</summary>
    Task<(string Subject, PasskeyCredential Passkey)?> FindPasskeyAsync(long organizationId, byte[] credentialId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a verified new passkey and, when <paramref name="recoveryCodeHashes"/> is given (the user's first factor),
    /// replaces the user's recovery codes, in one transaction; the new passkey's id, or null when the organisation already
    /// has a credential with that id (WebAuthn §7.1 step 26) or there is no such user.
    /// </summary>
    Task<long?> AddPasskeyAsync(
        long organizationId, string subject, NewPasskey passkey, byte[] userHandle, string name, IReadOnlyList<byte[]>? recoveryCodeHashes,
        DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records a verified assertion: the new signature counter and backup state, only when the stored counter is still
    /// <paramref name="previousSignCount"/> (two concurrent assertions cannot both advance it), and clears the count of
    /// wrong codes. False: the passkey was removed or used concurrently.
    /// </summary>
    Task<bool> RecordPasskeyUseAsync(
        long organizationId, string subject, long passkeyId, uint previousSignCount, uint signCount, bool backedUp, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>Removes one of the user's passkeys; false when the user has no passkey with that id.</summary>
    Task<bool> RemovePasskeyAsync(long organizationId, string subject, long passkeyId, CancellationToken cancellationToken);

    /// <summary>Replaces the user's recovery codes (hashes only) with new ones; false when there is no such user.</summary>
    Task<bool> ReplaceRecoveryCodesAsync(long organizationId, string subject, IReadOnlyList<byte[]> codeHashes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes the authenticator app; false when the user had none.</summary>
    Task<bool> RemoveTotpAsync(long organizationId, string subject, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every factor and recovery code and restarts the user's enrolment grace period at <paramref name="now"/>,
    /// so the user enrols again at the next sign-in; false when there is no such user.
    /// </summary>
    Task<bool> ResetAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken);
}
