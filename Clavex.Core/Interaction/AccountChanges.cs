using Clavex.Core.Factors;
using Clavex.Core.Sessions;

namespace Clavex.Core.Interaction;

/// <summary>
/// The rules of the self-service account page: a change needs a recent authentication (a stolen, hours-old session
/// cannot change the password or remove a factor), and a user the organisation demands a second factor of cannot
/// remove the last one they may use.
/// </summary>
public static class AccountChanges
{
    /// <summary>How long after its last factor a session may change the account; after that the user signs in again.</summary>
    public static readonly TimeSpan RecentAuthentication = TimeSpan.FromMinutes(5);

    public static bool IsRecent(AuthenticationSession session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        return now - session.AuthTime <= RecentAuthentication;
    }

    /// <summary>
    /// Whether the user may remove a factor of <paramref name="kind"/> (one passkey, or the authenticator app): yes unless
    /// the organisation demands a second factor of them and none it allows would be left.
    /// </summary>
    public static bool MayRemove(SecondFactorAccount account, SignInPolicy policy, FactorKinds kind)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.RequiresMfa(account.Groups))
        {
            return true;
        }

        bool totpLeft = account.HasTotp && kind != FactorKinds.Totp && (policy.AllowedFactors & FactorKinds.Totp) != 0;
        bool passkeyLeft = account.Passkeys.Count - (kind == FactorKinds.Passkey ? 1 : 0) > 0 && (policy.AllowedFactors & FactorKinds.Passkey) != 0;
        return totpLeft || passkeyLeft;
    }
}
