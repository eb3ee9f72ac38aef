namespace Clavex.Server.Login;

public sealed record LogoutPageModel(string OrganizationName, PageForm Form);
