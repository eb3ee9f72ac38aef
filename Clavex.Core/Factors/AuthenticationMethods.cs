namespace Clavex.Core.Factors;

/// <summary>
/// What the ID token says about how the user signed in: <c>amr</c> values from RFC 8176 §2 and the <c>acr</c>
/// values Clavex publishes in discovery (OIDC Core §2, <c>acr_values_supported</c>).
/// </summary>
public static class AuthenticationMethods
{
    /// <summary>RFC 8176: password.</summary>
    public const string Password = "pwd";

    /// <summary>RFC 8176: one-time password (an authenticator app's code, or a recovery code).</summary>
    public const string OneTimePassword = "otp";

    /// <summary>RFC 8176: proof of possession of a hardware-secured key (a passkey that cannot leave its authenticator).</summary>
    public const string HardwareKey = "hwk";

    /// <summary>RFC 8176: proof of possession of a software-secured key (a synced or backed-up passkey).</summary>
    public const string SoftwareKey = "swk";

    /// <summary>RFC 8176: user presence test; Clavex adds it when the authenticator also verified the user (PIN or biometric).</summary>
    public const string UserPresence = "user";

    /// <summary>RFC 8176: multiple-factor authentication.</summary>
    public const string MultipleFactors = "mfa";

    /// <summary>The user gave the password, and no second factor.</summary>
    public const string PasswordLevel = "urn:clavex:acr:pwd";

    /// <summary>The user gave the password and a second factor.</summary>
    public const string MfaLevel = "urn:clavex:acr:mfa";

    public static readonly IReadOnlyList<string> SupportedLevels = [PasswordLevel, MfaLevel];

    /// <summary>The session's methods after a password alone.</summary>
    public static readonly IReadOnlyList<string> PasswordOnly = [Password];

    /// <summary>The session's methods after a password and a one-time code.</summary>
    public static readonly IReadOnlyList<string> PasswordAndOneTimePassword = [Password, OneTimePassword, MultipleFactors];

    /// <summary>The session's methods after a password and a passkey (<see cref="PasskeyCredential.Method"/>).</summary>
    public static IReadOnlyList<string> PasswordAndPasskey(string keyMethod) => [Password, keyMethod, MultipleFactors];

    /// <summary>
    /// The session's methods after a passkey alone, with user verification: possession of the key and the PIN or
    /// biometric that unlocked it are two factors (NIST SP 800-63B §5.1.9, multi-factor cryptographic authenticator).
    /// </summary>
    public static IReadOnlyList<string> Passwordless(string keyMethod) => [keyMethod, UserPresence, MultipleFactors];

    /// <summary>Whether <paramref name="amr"/> records two factors.</summary>
    public static bool HasMultipleFactors(IReadOnlyList<string> amr)
    {
        ArgumentNullException.ThrowIfNull(amr);
        for (int i = 0; i < amr.Count; i++)
        {
            if (amr[i] == MultipleFactors)
            {
                return true;
            }
        }

        return false;
    }
}
