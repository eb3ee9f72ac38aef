using System.Globalization;
using Clavex.Core.Factors;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Interaction;

/// <summary>
/// Passkeys (WebAuthn Level 3): the offers a page hands to the browser, and the checks of what comes back. The
/// cryptography is the host's <see cref="IPasskeyVerifier"/>; here are the rules around it: a challenge is used once and
/// only for the ceremony, organisation and user it was issued for (<see cref="PasskeyChallenges"/>), a credential
/// belongs to one user of one organisation, the signature counter only moves forward, a credential's backup
/// eligibility never changes, a username-less sign-in needs user verification, and a locked or disabled account gets
/// nothing. Failed assertions by a known user count towards the lockout like wrong codes.
/// </summary>
public sealed class PasskeySignIn(
    ISecondFactorStore factors, IPasskeyVerifier verifier, PasskeyChallenges challenges, IReplayCache replayCache, TimeProvider timeProvider)
{
    /// <summary>The longest name a user may give a passkey.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The most passkeys one user may register.</summary>
    public const int MaxPasskeysPerUser = 20;

    /// <summary>What <c>navigator.credentials.get</c> is asked for as the second factor: one of the user's passkeys.</summary>
    public PasskeyAssertionOffer SecondFactorOffer(Organization organization, SecondFactorAccount account)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(account);
        return new PasskeyAssertionOffer(
            challenges.Issue(PasskeyPurpose.SecondFactor, organization.Id, account.Subject), Descriptors(account.Passkeys), UserVerificationRequired: false);
    }

    /// <summary>What the login page's passkey button asks for: any discoverable credential, with user verification.</summary>
    public PasskeyAssertionOffer PasswordlessOffer(Organization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return new PasskeyAssertionOffer(challenges.Issue(PasskeyPurpose.Passwordless, organization.Id, string.Empty), [], UserVerificationRequired: true);
    }

    /// <summary>
    /// What <c>navigator.credentials.create</c> is asked for: a new credential for this user (named by their username,
    /// as <see cref="RegisterAsync"/> names it again when it verifies), none it already has.
    /// </summary>
    public PasskeyRegistrationOffer RegistrationOffer(Organization organization, SecondFactorAccount account)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(account);
        return new PasskeyRegistrationOffer(
            challenges.Issue(PasskeyPurpose.Registration, organization.Id, account.Subject),
            challenges.UserHandle(organization.Id, account.Subject),
            account.Username,
            account.Username,
            Descriptors(account.Passkeys));
    }

    /// <summary>
    /// A passkey as the second factor of <paramref name="subject"/>'s session: the challenge the page was given and the
    /// browser's response. Accepted: <see cref="SecondFactorResult.Method"/> is <c>hwk</c> or <c>swk</c>.
    /// </summary>
    public async Task<SecondFactorResult> VerifySecondFactorAsync(
        Organization organization, string clientId, string subject, string? challenge, string? response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        DateTimeOffset now = timeProvider.GetUtcNow();
        var events = new List<InteractionEvent>(3);
        SecondFactorAccount? account = await factors.FindAsync(organization.Id, subject, cancellationToken);
        if (Unusable(account, organization, now) is string refused)
        {
            events.Add(Failed(clientId, subject, refused));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events, Subject: subject, Locked: refused == SignInFailureReasons.Locked);
        }

        if (await ClaimAsync(organization, PasskeyPurpose.SecondFactor, subject, challenge, response, cancellationToken) is not (byte[] bytes, PasskeyAssertionClaim claim))
        {
            events.Add(Failed(clientId, subject, PasskeyFailureReasons.InvalidChallenge));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events, Subject: subject);
        }

        PasskeyCredential? passkey = Find(account!.Passkeys, claim.CredentialId);
        if (passkey is null)
        {
            return await FailAsync(organization, clientId, account, PasskeyFailureReasons.UnknownCredential, now, events, cancellationToken);
        }

        var offer = new PasskeyAssertionOffer(bytes, Descriptors(account.Passkeys), UserVerificationRequired: false);
        return await VerifyAsync(organization, clientId, account, passkey, offer, response!, now, events, cancellationToken);
    }

    /// <summary>
    /// A passkey alone, from the login page: the credential names its user (by its id and the user handle it returns).
    /// Accepted: <see cref="SecondFactorResult.Subject"/> is the user signed in.
    /// </summary>
    public async Task<SecondFactorResult> VerifyPasswordlessAsync(
        Organization organization, string clientId, string? challenge, string? response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        DateTimeOffset now = timeProvider.GetUtcNow();
        var events = new List<InteractionEvent>(3);
        if (!organization.SignInPolicy.OffersPasswordless)
        {
            events.Add(new InteractionEvent("login.failed", false, clientId, null, ("reason", PasskeyFailureReasons.PasswordlessNotAllowed)));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events);
        }

        if (await ClaimAsync(organization, PasskeyPurpose.Passwordless, string.Empty, challenge, response, cancellationToken) is not (byte[] bytes, PasskeyAssertionClaim claim))
        {
            events.Add(new InteractionEvent("login.failed", false, clientId, null, ("reason", PasskeyFailureReasons.InvalidChallenge), ("method", "passkey")));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events);
        }

        // A credential of another organisation, a removed one, or one whose user handle is not its user's: unknown.
        if (await factors.FindPasskeyAsync(organization.Id, claim.CredentialId, cancellationToken) is not (string subject, PasskeyCredential passkey)
            || claim.UserHandle is null || !passkey.UserHandle.AsSpan().SequenceEqual(claim.UserHandle))
        {
            events.Add(new InteractionEvent("login.failed", false, clientId, null, ("reason", PasskeyFailureReasons.UnknownCredential), ("method", "passkey")));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events);
        }

        SecondFactorAccount? account = await factors.FindAsync(organization.Id, subject, cancellationToken);
        if (Unusable(account, organization, now) is string refused)
        {
            events.Add(new InteractionEvent("login.failed", false, clientId, subject, ("reason", refused), ("method", "passkey")));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events, Subject: subject, Locked: refused == SignInFailureReasons.Locked);
        }

        var offer = new PasskeyAssertionOffer(bytes, [], UserVerificationRequired: true);
        return await VerifyAsync(organization, clientId, account!, passkey, offer, response!, now, events, cancellationToken);
    }

    /// <summary>
    /// Registers the passkey the browser created for <paramref name="subject"/>. When it is the user's first factor, ten
    /// recovery codes are issued with it (<see cref="SecondFactorResult.NewRecoveryCodes"/>, shown once).
    /// </summary>
    public async Task<SecondFactorResult> RegisterAsync(
        Organization organization, string clientId, string subject, string? challenge, string? response, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        DateTimeOffset now = timeProvider.GetUtcNow();
        var events = new List<InteractionEvent>(3);
        SecondFactorAccount? account = await factors.FindAsync(organization.Id, subject, cancellationToken);
        string? refused = account is not { Enabled: true } ? SignInFailureReasons.Disabled
            : account.LockedUntil > now ? SignInFailureReasons.Locked
            : (organization.SignInPolicy.AllowedFactors & FactorKinds.Passkey) == 0 ? PasskeyFailureReasons.NotAllowed
            : account.Passkeys.Count >= MaxPasskeysPerUser ? PasskeyFailureReasons.TooMany
            : null;
        byte[]? bytes = null;
        if (refused is null && (challenges.Check(challenge, PasskeyPurpose.Registration, organization.Id, subject, out bytes) is not string replayKey
            || response is null || response.Length > MaxResponseLength
            || !await replayCache.TryAddAsync(organization.Id, replayKey, now + PasskeyChallenges.Lifetime, cancellationToken)))
        {
            refused = PasskeyFailureReasons.InvalidChallenge;
        }

        if (refused is not null)
        {
            events.Add(new InteractionEvent("mfa.enrolment_failed", false, clientId, subject, ("factor", FactorNames.Passkey), ("reason", refused)));
            return new SecondFactorResult(SecondFactorOutcome.Refused, events, Subject: subject, Locked: refused == SignInFailureReasons.Locked);
        }

        var offer = new PasskeyRegistrationOffer(bytes!, challenges.UserHandle(organization.Id, subject), account!.Username, account.Username, Descriptors(account.Passkeys));
        (NewPasskey? created, string? failure) = await verifier.VerifyRegistrationAsync(response!, offer, cancellationToken);
        if (created is null)
        {
            events.Add(new InteractionEvent("mfa.enrolment_failed", false, clientId, subject, ("factor", FactorNames.Passkey), ("reason", failure ?? PasskeyFailureReasons.Unverified)));
            return new SecondFactorResult(SecondFactorOutcome.Rejected, events, Subject: subject);
        }

        IReadOnlyList<string>? codes = account.HasAnyFactor ? null : RecoveryCodes.Generate();
        string passkeyName = NameOrDefault(name, account.Passkeys.Count);
        long? id = await factors.AddPasskeyAsync(organization.Id, subject, created, offer.UserHandle, passkeyName, codes is null ? null : RecoveryCodes.HashAll(codes), now, cancellationToken);
        if (id is null)
        {
            events.Add(new InteractionEvent("mfa.enrolment_failed", false, clientId, subject, ("factor", FactorNames.Passkey), ("reason", PasskeyFailureReasons.DuplicateCredential)));
            return new SecondFactorResult(SecondFactorOutcome.Rejected, events, Subject: subject);
        }

        string method = created.BackupEligible ? AuthenticationMethods.SoftwareKey : AuthenticationMethods.HardwareKey;
        events.Add(new InteractionEvent("mfa.passkey_registered", true, clientId, subject,
            ("name", passkeyName), ("passkey_id", id.Value.ToString(CultureInfo.InvariantCulture)), ("backup_eligible", created.BackupEligible ? "true" : "false"),
            ("aaguid", created.Aaguid.ToString())));
        events.Add(new InteractionEvent("mfa.enrolled", true, clientId, subject, ("factor", FactorNames.Passkey)));
        return new SecondFactorResult(SecondFactorOutcome.Accepted, events, Subject: subject, Method: method,
            RecoveryCodesLeft: codes?.Count ?? account.RecoveryCodesLeft, NewRecoveryCodes: codes);
    }

    /// <summary>The largest response accepted: an attestation with a certificate chain is a few kilobytes.</summary>
    public const int MaxResponseLength = 32 * 1024;

    private async Task<(byte[] Challenge, PasskeyAssertionClaim Claim)?> ClaimAsync(
        Organization organization, PasskeyPurpose purpose, string subject, string? challenge, string? response, CancellationToken cancellationToken)
    {
        if (challenges.Check(challenge, purpose, organization.Id, subject, out byte[]? bytes) is not string replayKey
            || response is null || response.Length > MaxResponseLength
            || verifier.ReadAssertion(response) is not PasskeyAssertionClaim claim
            || !await replayCache.TryAddAsync(organization.Id, replayKey, timeProvider.GetUtcNow() + PasskeyChallenges.Lifetime, cancellationToken))
        {
            return null;
        }

        return (bytes!, claim);
    }

    private async Task<SecondFactorResult> VerifyAsync(
        Organization organization, string clientId, SecondFactorAccount account, PasskeyCredential passkey, PasskeyAssertionOffer offer, string response,
        DateTimeOffset now, List<InteractionEvent> events, CancellationToken cancellationToken)
    {
        (PasskeyAssertion? assertion, string? failure) = await verifier.VerifyAssertionAsync(response, offer, passkey, cancellationToken);
        if (assertion is null)
        {
            return await FailAsync(organization, clientId, account, failure ?? PasskeyFailureReasons.Unverified, now, events, cancellationToken);
        }

        // WebAuthn Level 3 §7.2 step 18: a credential's backup eligibility is fixed; a change means another authenticator.
        if (assertion.BackupEligible != passkey.BackupEligible)
        {
            return await FailAsync(organization, clientId, account, PasskeyFailureReasons.BackupEligibilityChanged, now, events, cancellationToken);
        }

        if (!await factors.RecordPasskeyUseAsync(organization.Id, account.Subject, passkey.Id, passkey.SignCount, assertion.SignCount, assertion.BackedUp, now, cancellationToken))
        {
            return await FailAsync(organization, clientId, account, PasskeyFailureReasons.UnknownCredential, now, events, cancellationToken);
        }

        events.Add(new InteractionEvent("mfa.passkey_used", true, clientId, account.Subject,
            ("passkey_id", passkey.Id.ToString(CultureInfo.InvariantCulture)), ("name", passkey.Name),
            ("user_verified", assertion.UserVerified ? "true" : "false")));
        return new SecondFactorResult(SecondFactorOutcome.Accepted, events, Subject: account.Subject, Method: passkey.Method);
    }

    private async Task<SecondFactorResult> FailAsync(
        Organization organization, string clientId, SecondFactorAccount account, string reason, DateTimeOffset now, List<InteractionEvent> events,
        CancellationToken cancellationToken)
    {
        events.Add(Failed(clientId, account.Subject, reason));
        bool locked = await SecondFactorSignIn.CountFailureAsync(factors, organization, clientId, account.Subject, now, events, cancellationToken);
        return new SecondFactorResult(SecondFactorOutcome.Rejected, events, Locked: locked, Subject: account.Subject);
    }

    private static string? Unusable(SecondFactorAccount? account, Organization organization, DateTimeOffset now) =>
        account is not { Enabled: true } ? SignInFailureReasons.Disabled
        : account.LockedUntil > now ? SignInFailureReasons.Locked
        : (organization.SignInPolicy.AllowedFactors & FactorKinds.Passkey) == 0 ? PasskeyFailureReasons.NotAllowed
        : !account.HasPasskey ? SecondFactorFailureReasons.NoFactor
        : null;

    private static PasskeyCredential? Find(IReadOnlyList<PasskeyCredential> passkeys, byte[] credentialId)
    {
        for (int i = 0; i < passkeys.Count; i++)
        {
            if (passkeys[i].CredentialId.AsSpan().SequenceEqual(credentialId))
            {
                return passkeys[i];
            }
        }

        return null;
    }

    private static PasskeyDescriptor[] Descriptors(IReadOnlyList<PasskeyCredential> passkeys)
    {
        var descriptors = new PasskeyDescriptor[passkeys.Count];
        for (int i = 0; i < descriptors.Length; i++)
        {
            descriptors[i] = new PasskeyDescriptor(passkeys[i].CredentialId, passkeys[i].Transports);
        }

        return descriptors;
    }

    /// <summary>The name the user typed, trimmed and cut to <see cref="MaxNameLength"/>, or "Passkey N".</summary>
    internal static string NameOrDefault(string? name, int existing)
    {
        string trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            return existing == 0 ? "Passkey" : "Passkey " + (existing + 1).ToString(CultureInfo.InvariantCulture);
        }

        var clean = new System.Text.StringBuilder(Math.Min(trimmed.Length, MaxNameLength));
        foreach (char c in trimmed)
        {
            if (clean.Length == MaxNameLength)
            {
                break;
            }

            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        return clean.ToString();
    }

    private static InteractionEvent Failed(string clientId, string subject, string reason) =>
        new("mfa.failed", false, clientId, subject, ("reason", reason), ("method", FactorNames.Passkey));
}

/// <summary>The <c>reason</c> of a failed passkey ceremony, as the audit log says it.</summary>
public static class PasskeyFailureReasons
{
    /// <summary>The challenge is not one this server issued for this ceremony and user, has expired, or was used before; or the response is malformed.</summary>
    public const string InvalidChallenge = "invalid_challenge";
    public const string UnknownCredential = "unknown_credential";
    public const string Unverified = "passkey_unverified";
    public const string BackupEligibilityChanged = "backup_eligibility_changed";
    public const string DuplicateCredential = "duplicate_credential";
    public const string NotAllowed = "passkeys_not_allowed";
    public const string PasswordlessNotAllowed = "passwordless_not_allowed";
    public const string TooMany = "too_many_passkeys";
}
