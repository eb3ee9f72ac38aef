namespace Clavex.Server.Login;

/// <summary>The names our forms post besides the forwarded request parameters.</summary>
public static class FormFieldNames
{
    public const string Username = "username";
    public const string Password = "password";

    /// <summary>The code of an authenticator app, or a recovery code, on the second-factor and enrolment pages.</summary>
    public const string Code = "code";

    /// <summary>A passkey form's challenge, as the page was given it (base64url).</summary>
    public const string WebAuthnChallenge = "webauthn_challenge";

    /// <summary>A passkey form's credential, as the browser returned it (WebAuthn Level 3 JSON).</summary>
    public const string WebAuthnResponse = "webauthn_response";

    /// <summary>The name a user gives a new passkey.</summary>
    public const string PasskeyName = "passkey_name";

    /// <summary>The pressed button: <see cref="Allow"/>, <see cref="Deny"/>, <see cref="SignOut"/> or <see cref="Cancel"/>.</summary>
    public const string Decision = "decision";

    public const string Allow = "allow";
    public const string Deny = "deny";
    public const string SignOut = "sign_out";
    public const string Cancel = "cancel";

    /// <summary>
    /// A forwarded request parameter with one of these names is not written as a hidden input: a crafted
    /// authorization URL with <c>password=…</c> must not put a second password field into the form.
    /// </summary>
    public static bool IsReserved(string name) =>
        name is Username or Password or Code or Decision or WebAuthnChallenge or WebAuthnResponse or PasskeyName or AntiforgeryTokens.FormFieldName;
}
