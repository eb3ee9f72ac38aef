namespace Clavex.Server.Login;

/// <summary>The signed-out page; <see cref="ReturnTo"/> is the application to go back to, when its client registered a <c>client_uri</c>.</summary>
public sealed record LoggedOutPageModel(PageFrame Frame)
{
    public (string Name, string Uri)? ReturnTo { get; init; }
}
