using System.Text;

namespace Clavex.Core.Factors;

/// <summary>
/// A user's authenticator app. <see cref="Confirmed"/> false: enrolment begun, the first code not yet given (the
/// factor does not count until then). <see cref="LastUsedStep"/> is the time step of the last accepted code.
/// </summary>
public sealed record TotpAuthenticator(byte[] Secret, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, long LastUsedStep, DateTimeOffset? LastUsedAt)
{
    public bool Confirmed => ConfirmedAt is not null;

    // The generated ToString would print the secret.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Secret = (redacted), Confirmed = ").Append(Confirmed);
        return true;
    }
}

/// <summary>
/// What a second-factor step reads about one user, in one query: its state for the lockout, its groups for the
/// organisation's policy, when its enrolment grace period starts, and its factors.
/// </summary>
public sealed record SecondFactorAccount(
    string Subject,
    string Username,
    bool Enabled,
    DateTimeOffset? LockedUntil,
    IReadOnlyList<string> Groups,
    DateTimeOffset EnrolmentClockStart,
    TotpAuthenticator? Totp,
    int RecoveryCodesLeft,
    IReadOnlyList<PasskeyCredential> Passkeys)
{
    /// <summary>The user has a confirmed authenticator app.</summary>
    public bool HasTotp => Totp is { Confirmed: true };

    /// <summary>The user has at least one passkey.</summary>
    public bool HasPasskey => Passkeys.Count > 0;

    /// <summary>The kinds of factor the user has, of those <paramref name="allowed"/>.</summary>
    public FactorKinds FactorsOf(FactorKinds allowed) =>
        ((HasTotp ? FactorKinds.Totp : FactorKinds.None) | (HasPasskey ? FactorKinds.Passkey : FactorKinds.None)) & allowed;

    /// <summary>The user has a factor that counts: a confirmed authenticator app or a passkey, of a kind the organisation allows.</summary>
    public bool HasFactor(FactorKinds allowed) => FactorsOf(allowed) != FactorKinds.None;

    /// <summary>Whether the user has any factor at all, allowed or not (recovery codes come with one).</summary>
    public bool HasAnyFactor => HasTotp || HasPasskey;
}
