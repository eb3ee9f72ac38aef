namespace Clavex.Core.Interaction;

/// <summary>Why a password sign-in failed, as the audit log says it; the user is never told which.</summary>
public static class SignInFailureReasons
{
    public const string UnknownUser = "unknown_user";
    public const string WrongPassword = "wrong_password";
    public const string Locked = "locked";
    public const string Disabled = "disabled";
}
