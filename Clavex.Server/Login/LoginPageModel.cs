namespace Clavex.Server.Login;

public sealed record LoginPageModel(string OrganizationName, string ClientName, PageForm Form)
{
    /// <summary>The only message a failed sign-in shows: it does not say which of the two was wrong.</summary>
    public const string IncorrectCredentials = "The username or password is incorrect.";

    /// <summary>Prefilled username: the request's <c>login_hint</c>, or what was typed before an error.</summary>
    public string? Username { get; init; }

    /// <summary>What a refused passkey shows.</summary>
    public const string IncorrectPasskey = "That passkey was not accepted. Try again, or sign in with your username and password.";

    public string? ErrorMessage { get; init; }

    /// <summary>The username-less passkey button, where the organisation allows passwordless sign-in.</summary>
    public PasskeyFormModel? Passkey { get; init; }
}
