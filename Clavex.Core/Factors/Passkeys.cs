using System.Text;

namespace Clavex.Core.Factors;

/// <summary>The kinds of second factor an organisation lets its users enrol and use (recovery codes always work).</summary>
[Flags]
public enum FactorKinds
{
    None = 0,

    /// <summary>An authenticator app (RFC 6238).</summary>
    Totp = 1,

    /// <summary>A WebAuthn credential: a security key, or a passkey in a phone, laptop or password manager.</summary>
    Passkey = 2,

    All = Totp | Passkey,
}

/// <summary>The wire names of <see cref="FactorKinds"/>, as the admin API and the database spell them.</summary>
public static class FactorNames
{
    public const string Totp = "totp";
    public const string Passkey = "passkey";

    public static IReadOnlyList<string> GetNames(FactorKinds kinds)
    {
        var names = new List<string>(2);
        if ((kinds & FactorKinds.Totp) != 0)
        {
            names.Add(Totp);
        }

        if ((kinds & FactorKinds.Passkey) != 0)
        {
            names.Add(Passkey);
        }

        return names;
    }

    /// <summary>The kinds named, or null when a name is unknown.</summary>
    public static FactorKinds? Parse(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        FactorKinds kinds = FactorKinds.None;
        foreach (string name in names)
        {
            switch (name)
            {
                case Totp:
                    kinds |= FactorKinds.Totp;
                    break;
                case Passkey:
                    kinds |= FactorKinds.Passkey;
                    break;
                default:
                    return null;
            }
        }

        return kinds;
    }
}

/// <summary>
/// A registered WebAuthn credential. <see cref="UserHandle"/> is what the authenticator stores as the user's id
/// (<see cref="PasskeyChallenges.UserHandle"/>); <see cref="BackupEligible"/> is fixed at registration (WebAuthn
/// Level 3 §6.1.3: a credential never changes it), <see cref="BackedUp"/> follows the last assertion.
/// </summary>
public sealed record PasskeyCredential(
    long Id,
    byte[] CredentialId,
    string Name,
    byte[] PublicKey,
    byte[] UserHandle,
    uint SignCount,
    bool BackupEligible,
    bool BackedUp,
    IReadOnlyList<string> Transports,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt)
{
    /// <summary>
    /// RFC 8176 §2: <c>swk</c> for a credential that can be synced or backed up (its key leaves the device), <c>hwk</c>
    /// for one bound to its authenticator.
    /// </summary>
    public string Method => BackupEligible ? AuthenticationMethods.SoftwareKey : AuthenticationMethods.HardwareKey;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Name = ").Append(Name).Append(", SignCount = ").Append(SignCount);
        return true;
    }
}

/// <summary>A credential as <c>allowCredentials</c> or <c>excludeCredentials</c> name it (WebAuthn §5.8.3).</summary>
public sealed record PasskeyDescriptor(byte[] CredentialId, IReadOnlyList<string> Transports);

/// <summary>
/// What the browser is asked to create (<c>navigator.credentials.create</c>): the challenge, the user's handle and
/// names, and the credentials it already has, so one authenticator is not registered twice. Resident keys are
/// requested so the passkey can also sign in without a username where the organisation allows it.
/// </summary>
public sealed record PasskeyRegistrationOffer(
    byte[] Challenge, byte[] UserHandle, string UserName, string DisplayName, IReadOnlyList<PasskeyDescriptor> Exclude);

/// <summary>
/// What the browser is asked to sign (<c>navigator.credentials.get</c>): the challenge, the user's credentials (none
/// for a username-less sign-in, which lets the authenticator offer its discoverable ones), and whether the
/// authenticator must verify the user (PIN or biometric) rather than only test presence.
/// </summary>
public sealed record PasskeyAssertionOffer(byte[] Challenge, IReadOnlyList<PasskeyDescriptor> Allowed, bool UserVerificationRequired);

/// <summary>A credential's id and the user handle it returned, read from a response before it is verified.</summary>
public sealed record PasskeyAssertionClaim(byte[] CredentialId, byte[]? UserHandle);

/// <summary>A verified assertion: the authenticator's new signature counter and flags.</summary>
public sealed record PasskeyAssertion(uint SignCount, bool BackupEligible, bool BackedUp, bool UserVerified);

/// <summary>A verified registration: the new credential, to store.</summary>
public sealed record NewPasskey(
    byte[] CredentialId, byte[] PublicKey, uint SignCount, bool BackupEligible, bool BackedUp, IReadOnlyList<string> Transports, Guid Aaguid);

/// <summary>
/// WebAuthn's cryptography (attestation and assertion verification, WebAuthn Level 3 §7), implemented by the host with
/// a FIDO2 library; everything around it (challenges, which credential belongs to whom, counters, policy) is the
/// core's. Every method returns null or a failure reason for a malformed or unverifiable response and never throws
/// for one.
/// </summary>
public interface IPasskeyVerifier
{
    /// <summary>The credential id and user handle of an assertion response (the browser's JSON), or null when it is malformed.</summary>
    PasskeyAssertionClaim? ReadAssertion(string responseJson);

    /// <summary>Verifies an assertion for <paramref name="offer"/> against the stored credential: the assertion, or the failure reason.</summary>
    Task<(PasskeyAssertion? Assertion, string? FailureReason)> VerifyAssertionAsync(
        string responseJson, PasskeyAssertionOffer offer, PasskeyCredential stored, CancellationToken cancellationToken);

    /// <summary>Verifies an attestation response for <paramref name="offer"/>: the new credential, or the failure reason.</summary>
    Task<(NewPasskey? Passkey, string? FailureReason)> VerifyRegistrationAsync(
        string responseJson, PasskeyRegistrationOffer offer, CancellationToken cancellationToken);
}
