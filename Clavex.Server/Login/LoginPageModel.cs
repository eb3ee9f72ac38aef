namespace Clavex.Server.Login;

public sealed record LoginPageModel(string OrganizationName, string ClientName, PageForm Form)
{
    /// <summary>The only message a failed sign-in shows: it does not say which of the two was wrong.</summary>
    public const string IncorrectCredentials = "The username or password is incorrect.";

    /// <summary>Prefilled username: the request's <c>login_hint</c>, or what was typed before an error.</summary>
    public string? Username { get; init; }

    public string? ErrorMessage { get; init; }
}
