namespace Clavex.Server.Login;

public sealed record LoginPageModel(PageFrame Frame, string ClientName, PageForm Form)
{
    /// <summary>Prefilled username: the request's <c>login_hint</c>, or what was typed before an error.</summary>
    public string? Username { get; init; }

    /// <summary>The one message a failed sign-in shows; it does not say which of the two was wrong.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The username-less passkey button, where the organisation allows passwordless sign-in.</summary>
    public PasskeyFormModel? Passkey { get; init; }
}
