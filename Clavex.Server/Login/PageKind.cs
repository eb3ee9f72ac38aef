namespace Clavex.Server.Login;

/// <summary>The pages of <see cref="Pages"/> whose headers do not depend on the request; see <see cref="SecurityHeaders.ForFormPost"/> for the other.</summary>
public enum PageKind
{
    Login,
    Consent,
    SecondFactor,
    Enrolment,
    RecoveryCodes,
    LogoutConfirm,
    Account,
    LoggedOut,
    Error,
}
