using Clavex.Core.Users;

namespace Clavex.Core.Factors;

/// <summary>Who in an organisation must give a second factor after the password.</summary>
public enum MfaPolicy
{
    /// <summary>Users who enrolled a factor are asked for it; the others sign in with the password alone.</summary>
    Optional,

    /// <summary>Everyone.</summary>
    Required,

    /// <summary>Members of <see cref="SignInPolicy.MfaGroups"/> (e.g. <c>jira-administrators</c>).</summary>
    RequiredForGroups,
}

/// <summary>
/// An organisation's sign-in policy: who must use a second factor, and how long a user who must but has none may
/// still enrol one at sign-in (instead of being refused). The grace period runs from the latest of
/// <see cref="MfaRequiredSince"/> (when the policy last became stricter), the user's creation and an admin's MFA reset.
/// </summary>
public sealed record SignInPolicy
{
    public static readonly TimeSpan DefaultEnrolmentGracePeriod = TimeSpan.FromDays(7);

    public static readonly TimeSpan MaxEnrolmentGracePeriod = TimeSpan.FromDays(90);

    public static readonly SignInPolicy Default = new();

    public MfaPolicy Mfa { get; init; } = MfaPolicy.Optional;

    /// <summary>The groups whose members must use a second factor under <see cref="MfaPolicy.RequiredForGroups"/>; exact names.</summary>
    public IReadOnlyList<string> MfaGroups { get; init; } = [];

    public TimeSpan EnrolmentGracePeriod { get; init; } = DefaultEnrolmentGracePeriod;

    public DateTimeOffset? MfaRequiredSince { get; init; }

    /// <summary>The kinds of second factor users may enrol and use; at least one.</summary>
    public FactorKinds AllowedFactors { get; init; } = FactorKinds.All;

    /// <summary>Whether users may sign in with a passkey alone (with user verification), from the login page.</summary>
    public bool PasswordlessAllowed { get; init; }

    /// <summary>Whether the login page offers the passkey button: passwordless allowed and passkeys allowed at all.</summary>
    public bool OffersPasswordless => PasswordlessAllowed && (AllowedFactors & FactorKinds.Passkey) != 0;

    /// <summary>What a new password must be in this organisation.</summary>
    public PasswordPolicy Password { get; init; } = PasswordPolicy.Default;

    /// <summary>Whether the organisation itself demands a second factor of a user in <paramref name="groups"/>.</summary>
    public bool RequiresMfa(IReadOnlyList<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        switch (Mfa)
        {
            case MfaPolicy.Required:
                return true;
            case MfaPolicy.RequiredForGroups:
                for (int i = 0; i < groups.Count; i++)
                {
                    for (int j = 0; j < MfaGroups.Count; j++)
                    {
                        if (string.Equals(groups[i], MfaGroups[j], StringComparison.Ordinal))
                        {
                            return true;
                        }
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether a user without a factor may enrol one at sign-in: always when the organisation does not demand one
    /// (a client or an <c>acr_values</c> request does), else until the grace period after <paramref name="userClockStart"/>
    /// (the user's creation or MFA reset) or <see cref="MfaRequiredSince"/>, whichever is later.
    /// </summary>
    public bool AllowsEnrolment(bool organizationDemands, DateTimeOffset userClockStart, DateTimeOffset now)
    {
        if (!organizationDemands)
        {
            return true;
        }

        DateTimeOffset start = MfaRequiredSince is DateTimeOffset since && since > userClockStart ? since : userClockStart;
        return now < start + EnrolmentGracePeriod;
    }
}

/// <summary>The wire names of <see cref="MfaPolicy"/>, as the admin API and the database spell them.</summary>
public static class MfaPolicies
{
    public const string Optional = "optional";
    public const string Required = "required";
    public const string RequiredForGroups = "required_for_groups";

    public static string GetName(MfaPolicy policy) => policy switch
    {
        MfaPolicy.Optional => Optional,
        MfaPolicy.Required => Required,
        MfaPolicy.RequiredForGroups => RequiredForGroups,
        _ => throw new ArgumentOutOfRangeException(nameof(policy)),
    };

    public static bool TryParse(string? name, out MfaPolicy policy)
    {
        (bool known, policy) = name switch
        {
            Optional => (true, MfaPolicy.Optional),
            Required => (true, MfaPolicy.Required),
            RequiredForGroups => (true, MfaPolicy.RequiredForGroups),
            _ => (false, MfaPolicy.Optional),
        };
        return known;
    }
}
