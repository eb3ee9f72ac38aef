namespace Clavex.Server.Login;

public sealed record LoggedOutPageModel(string OrganizationName);
